"""Stores, their API keys and staff: creation and authentication."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher

from retour.db.models import ApiKey, InventoryLocation, ReturnReason, StaffUser, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.email_addresses import address_problem
from retour.domain.errors import InvalidRequest
from retour.domain.money import validate_currency
from retour.domain.reasons import DEFAULT_RETURN_REASONS
from retour.domain.staff import password_problem
from retour.services.errors import NotFound, Unauthorized

API_KEY_PREFIX = "rtr"
STAFF_ROLES = ("owner", "admin", "agent", "warehouse", "analyst")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class ApiPrincipal:
    store_id: int
    key_name: str


def create_store(
    uow: UnitOfWork,
    *,
    slug: str,
    name: str,
    currency: str,
    now: datetime,
    timezone: str = "UTC",
    locale: str = "en",
) -> int:
    """A new store with a default return location and the default return reasons."""
    if not _SLUG.match(slug):
        raise InvalidRequest("slug: 2-63 lowercase letters, digits or dashes", field="slug")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidRequest(f"unknown timezone {timezone!r}", field="timezone") from error
    with uow:
        if uow.stores.by_slug(slug) is not None:
            raise InvalidRequest(f"a store with slug {slug!r} exists", field="slug")
        store = Store(
            slug=slug,
            name=name,
            currency=validate_currency(currency),
            timezone=timezone,
            locale=locale,
            created_at=now,
        )
        uow.session.add(store)
        uow.session.flush()
        uow.session.add(
            InventoryLocation(store_id=store.id, code="returns", name="Returns", is_default=True)
        )
        uow.session.add_all(
            ReturnReason(
                store_id=store.id,
                code=template.code,
                label=template.label,
                is_merchant_fault=template.is_merchant_fault,
                requires_photo=template.requires_photo,
                requires_comment=template.requires_comment,
                position=position,
            )
            for position, template in enumerate(DEFAULT_RETURN_REASONS)
        )
        uow.commit()
        return store.id


def create_api_key(uow: UnitOfWork, store_slug: str, name: str, now: datetime) -> str:
    """A new API key for the store; the plain key is returned once and never stored."""
    prefix = secrets.token_hex(6)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with uow:
        store = uow.stores.by_slug(store_slug)
        if store is None:
            raise NotFound("store", store_slug)
        uow.session.add(
            ApiKey(
                store_id=store.id,
                name=name,
                prefix=prefix,
                key_hash=api_key_digest(key),
                created_at=now,
            )
        )
        uow.commit()
    return key


def authenticate_api_key(uow: UnitOfWork, key: str) -> ApiPrincipal:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        raise Unauthorized("malformed API key")
    with uow:
        found = uow.stores.api_key_by_prefix(parts[1])
        if (
            found is None
            or found.revoked_at is not None
            or not hmac.compare_digest(found.key_hash, api_key_digest(key))
        ):
            raise Unauthorized("unknown or revoked API key")
        return ApiPrincipal(store_id=found.store_id, key_name=found.name)


def create_staff_user(
    uow: UnitOfWork,
    *,
    store_slug: str,
    email: str,
    password: str,
    role: str,
    now: datetime,
    name: str = "",
) -> int:
    if role not in STAFF_ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(STAFF_ROLES)}", field="role")
    problem = address_problem(email)
    if problem is not None:
        raise InvalidRequest(f"not a usable e-mail address: {problem}", field="email")
    weak = password_problem(password)
    if weak is not None:
        raise InvalidRequest(weak, field="password")
    with uow:
        store = uow.stores.by_slug(store_slug)
        if store is None:
            raise NotFound("store", store_slug)
        if uow.stores.staff_user(store.id, email) is not None:
            raise InvalidRequest(f"{email} already has an account in this store", field="email")
        user = StaffUser(
            store_id=store.id,
            email=email.lower(),
            name=name,
            password_hash=PasswordHasher().hash(password),
            role=role,
            created_at=now,
        )
        uow.session.add(user)
        uow.commit()
        return user.id


def api_key_digest(key: str) -> str:
    """What is stored of an API key: its SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()
