"""A store's return policy: read the live one, save a new version, list the history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from retour.db.models import PolicyVersion, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.policy import parse_policy, unknown_references
from retour.services.context import Actor
from retour.services.errors import NotFound
from retour.services.policy.defaults import BUILTIN_VERSION, builtin_document
from retour.services.queries import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor

#: (JSON pointer, message): something in a valid policy that is probably not what was meant.
PolicyWarning = tuple[str, str]


@dataclass(frozen=True)
class PolicyRecord:
    """One version of a store's policy; version 0 is the built-in one of a store without."""

    version: int
    document: dict[str, Any]
    note: str
    created_by: str | None
    created_at: datetime | None

    @property
    def is_builtin(self) -> bool:
        return self.version == BUILTIN_VERSION


@dataclass(frozen=True)
class SavedPolicy:
    record: PolicyRecord
    warnings: list[PolicyWarning]


def live_policy_record(uow: UnitOfWork, store_id: int) -> PolicyRecord:
    """The live version, or the built-in policy (version 0) when the store has saved none."""
    with uow:
        row = uow.policies.live(store_id)
        if row is not None:
            return _record(row)
        return builtin_record(_store(uow, store_id))


def builtin_record(store: Store) -> PolicyRecord:
    return PolicyRecord(BUILTIN_VERSION, builtin_document(store), "", None, None)


def save_policy(
    uow: UnitOfWork,
    store_id: int,
    document: dict[str, Any],
    note: str,
    actor: Actor,
    now: datetime,
) -> SavedPolicy:
    """Validate the document and save it as the next version, which goes live at once.

    A document that breaks the schema raises `InvalidPolicy` listing every problem with its
    JSON pointer, and nothing is saved. Names the store does not know yet are warnings.
    """
    policy = parse_policy(document)
    with uow:
        store = _store(uow, store_id)
        warnings = unknown_references(policy, uow.policies.catalogue(store_id, policy.references))
        if policy.currency != store.currency:
            warnings.append(
                ("/currency", f"the store's currency is {store.currency}; orders in another "
                 "currency than the policy's cannot be evaluated")
            )  # fmt: skip
        if policy.timezone.key != store.timezone:
            warnings.append(("/timezone", f"the store's time zone is {store.timezone}"))
        version = uow.policies.add(store_id, document, note, created_by=str(actor), created_at=now)
        uow.commit()
    return SavedPolicy(PolicyRecord(version, document, note, str(actor), now), warnings)


def list_policy_versions(
    uow: UnitOfWork, store_id: int, cursor: str | None, limit: int
) -> Page[PolicyRecord]:
    """Newest first (the first is live); pass `next_cursor` back for the next page."""
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    with uow:
        rows = uow.policies.page(store_id, decode_cursor(cursor), limit + 1)
    has_more = len(rows) > limit
    next_cursor = encode_cursor(rows[limit - 1].id) if has_more else None
    return Page([_record(row) for row in rows[:limit]], next_cursor)


def get_policy_version(uow: UnitOfWork, store_id: int, version: int) -> PolicyRecord:
    with uow:
        if version == BUILTIN_VERSION:
            return builtin_record(_store(uow, store_id))
        row = uow.policies.version(store_id, version)
        if row is None:
            raise NotFound("policy version", version)
        return _record(row)


@cache
def policy_schema() -> dict[str, Any]:
    """The published JSON Schema of the policy document (package data of the domain)."""
    text = resources.files("retour.domain.policy").joinpath("policy.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _record(row: PolicyVersion) -> PolicyRecord:
    return PolicyRecord(row.version, row.document, row.note, row.created_by, row.created_at)


def _store(uow: UnitOfWork, store_id: int) -> Store:
    store = uow.stores.get(store_id)
    if store is None:
        raise NotFound("store", store_id)
    return store
