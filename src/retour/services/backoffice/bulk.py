"""Approve or reject many returns at once from the queue.

Each return is decided in its own transaction, exactly as from its page (role, stale-page
check, the return's own rules); one that cannot be decided is reported with the reason and
does not stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice import actions
from retour.services.errors import NotFound

#: Returns decided in one submission at most (each is its own transaction and e-mail).
MAX_BULK = 100
DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class Ticked:
    number: str
    #: The version the queue showed (QueueRow.version).
    seen: str


@dataclass
class BulkOutcome:
    decision: str
    done: list[str] = field(default_factory=list)
    #: RMA number → why it was not decided.
    refused: dict[str, str] = field(default_factory=dict)


def decide_many(
    uow: UnitOfWork,
    staff: StaffMember,
    decision: str,
    ticked: list[Ticked],
    now: datetime,
    message: str = "",
) -> BulkOutcome:
    """`message` goes to each shopper: the approval's note, or the rejection's reason."""
    ensure_permitted(staff, Permission.REVIEW_RETURNS)
    if decision not in DECISIONS:
        raise InvalidRequest(f"decision cannot be {decision!r}", field="decision")
    if not ticked:
        raise InvalidRequest("Tick at least one return.", field="numbers")
    if len(ticked) > MAX_BULK:
        raise InvalidRequest(
            f"At most {MAX_BULK} returns at once; {len(ticked)} are ticked.", field="numbers"
        )
    outcome = BulkOutcome(decision)
    for one in ticked:
        try:
            if decision == "approve":
                actions.approve(uow, staff, one.number, one.seen, now, message)
            else:
                actions.reject(uow, staff, one.number, one.seen, now, message)
        except (DomainError, NotFound) as refused:
            outcome.refused[one.number] = str(refused)
        else:
            outcome.done.append(one.number)
    return outcome
