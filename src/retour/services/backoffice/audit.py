"""The audit log of the store's settings: every change made in the back office's Settings
pages, written in the same transaction as the change (a refused change leaves no entry, a
change never goes unrecorded), and the page that lists them (owners and admins).

Each settings use case runs its change inside `audit_entry` (or through `audited`): it opens
the transaction, runs the change (whose own commit then waits for this one,
db/unit_of_work.py), adds the entry and commits both. Details carry what was set, never a
secret (API keys, passwords, carrier keys and webhook secrets are left out by the callers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select

from retour.db.models import AuditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted

T = TypeVar("T")
#: Entries a page of the log shows.
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    #: The id to pass as `before` for older entries; None: this is the oldest page.
    older: int | None


@dataclass
class Draft:
    """The entry being written: what the change is of and its details (filled in as the
    change finds them)."""

    subject: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@contextmanager
def audit_entry(
    uow: UnitOfWork,
    staff: StaffMember,
    area: str,
    action: str,
    subject: str = "",
    now: datetime | None = None,
) -> Iterator[Draft]:
    """`with audit_entry(…) as draft:` in place of `with uow:`: the block's change and its
    entry commit together; a block that raises writes neither."""
    draft = Draft(subject)
    with uow:
        yield draft
        uow.session.add(
            AuditEntry(
                store_id=staff.store_id,
                occurred_at=now or datetime.now(UTC),
                actor=f"staff:{staff.actor_name}",
                area=area,
                action=action,
                subject=draft.subject[:300],
                details=draft.details,
            )
        )
        uow.commit()


def audited(
    uow: UnitOfWork,
    staff: StaffMember,
    area: str,
    action: str,
    subject: str,
    change: Callable[[], T],
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> T:
    """Run `change` (a use case on `uow`) and record it, as one transaction."""
    with audit_entry(uow, staff, area, action, subject, now) as draft:
        draft.details.update(details or {})
        return change()


def audit_log(uow: UnitOfWork, staff: StaffMember, before: str | None) -> AuditPage:
    """Newest first, a page at a time (keyset on the entry id). Changes to staff accounts are
    shown only to those who manage staff (owners), as the users page is."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    statement = select(AuditEntry).where(AuditEntry.store_id == staff.store_id)
    if not staff.may(Permission.MANAGE_STAFF):
        statement = statement.where(AuditEntry.area != "staff")
    if before:
        if not before.isdigit():
            raise InvalidRequest("before must be an entry number", field="before")
        statement = statement.where(AuditEntry.id < int(before))
    with uow:
        found = list(
            uow.session.scalars(statement.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1))
        )
    older = found[PAGE_SIZE - 1].id if len(found) > PAGE_SIZE else None
    return AuditPage(found[:PAGE_SIZE], older)
