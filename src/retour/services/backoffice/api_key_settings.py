"""Settings → API keys: listed, created (the full key is shown once, only its hash is kept)
and revoked. Owners and admins (CONFIGURE_STORE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import ApiKey
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.audit import audit_entry, audited
from retour.services.errors import NotFound
from retour.services.stores import API_KEY_PREFIX, create_api_key

MAX_KEY_NAME_LENGTH = 100


@dataclass(frozen=True)
class ApiKeyRow:
    id: int
    name: str
    #: How the key starts (`rtr_1a2b3c4d5e6f_`): enough to recognise it, useless to use it.
    starts_with: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class CreatedKey:
    name: str
    #: The whole key: shown on the creation page once, never stored, never shown again.
    key: str


def list_api_keys(uow: UnitOfWork, staff: StaffMember) -> list[ApiKeyRow]:
    """The store's keys, newest first, revoked ones included."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with uow:
        keys = uow.session.scalars(
            select(ApiKey).where(ApiKey.store_id == staff.store_id).order_by(ApiKey.id.desc())
        )
        return [_row(key) for key in keys]


def create_key(uow: UnitOfWork, staff: StaffMember, name: str, now: datetime) -> CreatedKey:
    """A new key for the staff member's store, named for what uses it."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    name = name.strip()
    if not name:
        raise InvalidRequest("Name the key after what will use it.", field="name")
    if len(name) > MAX_KEY_NAME_LENGTH:
        raise InvalidRequest(
            f"key names have at most {MAX_KEY_NAME_LENGTH} characters", field="name"
        )
    key = audited(
        uow, staff, "api_keys", "created", name,
        lambda: create_api_key(uow, staff.store_slug, name, now), now=now,
    )  # fmt: skip
    return CreatedKey(name, key)


def revoke_api_key(uow: UnitOfWork, staff: StaffMember, key_id: int, now: datetime) -> ApiKeyRow:
    """The key stops opening the API; revoking a revoked key keeps its first revocation time."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with audit_entry(uow, staff, "api_keys", "revoked", now=now) as entry:
        key = uow.session.scalars(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.store_id == staff.store_id)
        ).one_or_none()
        if key is None:
            raise NotFound("API key", key_id)
        entry.subject, entry.details = key.name, {"starts_with": _row(key).starts_with}
        if key.revoked_at is None:
            key.revoked_at = now
        uow.commit()
        return _row(key)


def _row(key: ApiKey) -> ApiKeyRow:
    starts_with = f"{API_KEY_PREFIX}_{key.prefix}_"
    return ApiKeyRow(key.id, key.name, starts_with, key.created_at, key.revoked_at)
