"""What staff do to a return from its page: each action checks the role first, then that the
page was not stale (the return unchanged since it was shown), then runs the return's own use
case, all in one transaction. A refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from retour.db.models import ReturnNote
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.inputs import InspectionInput, Receipt
from retour.domain.policy_override import TermsOverride
from retour.domain.returns import Return
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services import returns as use_cases
from retour.services.backoffice.detail import return_id_of, version_of
from retour.services.context import Actor
from retour.services.returns.common import load_return

MAX_NOTE_LENGTH = 5000


class StalePage(DomainError):
    """The return changed after the page was shown; nothing was done."""

    code = "stale_page"

    def __init__(self, number: str, current_status: str) -> None:
        super().__init__(
            f"Return {number} changed since this page was loaded (it is now "
            f"{current_status.replace('_', ' ')}). Nothing was done: look at it again, then "
            "retry.",
            current_status=current_status,
        )


def actor_of(staff: StaffMember) -> Actor:
    return Actor("staff", staff.actor_name)


def act(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    permission: Permission,
    use_case: Callable[[int, Actor], Return],
) -> Return:
    """Run `use_case(return id, actor)` if the role allows it and the page was current."""
    ensure_permitted(staff, permission)
    with uow:
        return_id = return_id_of(uow, staff.store_id, number)
        current = load_return(uow, staff.store_id, return_id)
        if seen and version_of(current) != seen:
            raise StalePage(current.number, current.status.value)
        ret = use_case(return_id, actor_of(staff))
        uow.commit()
    return ret


def approve(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    message: str = "",
    quantities: Mapping[int, int] | None = None,
) -> Return:
    return act(
        uow, staff, number, seen, Permission.REVIEW_RETURNS,
        lambda rid, actor: use_cases.approve_return(
            uow, staff.store_id, rid, actor, now, quantities, message
        ),
    )  # fmt: skip


def edit_quantities(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    quantities: Mapping[int, int],
    reason: str,
) -> Return:
    """Change approved units after approval: a reviewer's decision, like approving."""
    return act(
        uow, staff, number, seen, Permission.REVIEW_RETURNS,
        lambda rid, actor: use_cases.edit_return_quantities(
            uow, staff.store_id, rid, actor, now, quantities, reason
        ),
    )  # fmt: skip


def change_location(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    location: str,
    reason: str,
) -> Return:
    """Send the return to another location: a reviewer's decision, like approving."""
    return act(
        uow, staff, number, seen, Permission.REVIEW_RETURNS,
        lambda rid, actor: use_cases.change_return_location(
            uow, staff.store_id, rid, actor, now, location, reason
        ),
    )  # fmt: skip


def override_policy(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    override: TermsOverride,
) -> Return:
    """Change the return's refund terms, with a reason: a decision about money, like a refund."""
    return act(
        uow, staff, number, seen, Permission.MOVE_MONEY,
        lambda rid, actor: use_cases.override_return_policy(
            uow, staff.store_id, rid, actor, now, override
        ),
    )  # fmt: skip


def reject(
    uow: UnitOfWork, staff: StaffMember, number: str, seen: str, now: datetime, reason: str
) -> Return:
    return act(
        uow, staff, number, seen, Permission.REVIEW_RETURNS,
        lambda rid, actor: use_cases.reject_return(uow, staff.store_id, rid, actor, now, reason),
    )  # fmt: skip


def request_info(
    uow: UnitOfWork, staff: StaffMember, number: str, seen: str, now: datetime, message: str
) -> Return:
    return act(
        uow, staff, number, seen, Permission.REVIEW_RETURNS,
        lambda rid, actor: use_cases.request_return_info(
            uow, staff.store_id, rid, actor, now, message
        ),
    )  # fmt: skip


def cancel(
    uow: UnitOfWork, staff: StaffMember, number: str, seen: str, now: datetime, reason: str
) -> Return:
    return act(
        uow, staff, number, seen, Permission.REVIEW_RETURNS,
        lambda rid, actor: use_cases.cancel_return(uow, staff.store_id, rid, actor, now, reason),
    )  # fmt: skip


def mark_in_transit(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    tracking_number: str,
    carrier: str = "",
) -> Return:
    return act(
        uow, staff, number, seen, Permission.HANDLE_PARCELS,
        lambda rid, actor: use_cases.mark_return_in_transit(
            uow, staff.store_id, rid, actor, now, tracking_number, carrier
        ),
    )  # fmt: skip


def receive(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    receipts: Sequence[Receipt],
) -> Return:
    return act(
        uow, staff, number, seen, Permission.HANDLE_PARCELS,
        lambda rid, actor: use_cases.receive_return(
            uow, staff.store_id, rid, actor, now, receipts
        ),
    )  # fmt: skip


def inspect(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    verdicts: Sequence[InspectionInput],
) -> Return:
    return act(
        uow, staff, number, seen, Permission.HANDLE_PARCELS,
        lambda rid, actor: use_cases.inspect_return(
            uow, staff.store_id, rid, actor, now, verdicts
        ),
    )  # fmt: skip


def complete(uow: UnitOfWork, staff: StaffMember, number: str, seen: str, now: datetime) -> Return:
    return act(
        uow, staff, number, seen, Permission.MOVE_MONEY,
        lambda rid, actor: use_cases.complete_return(uow, staff.store_id, rid, actor, now),
    )  # fmt: skip


def add_note(
    uow: UnitOfWork, staff: StaffMember, number: str, now: datetime, body: str
) -> ReturnNote:
    """An internal note: kept with the return for staff, never shown to the shopper."""
    ensure_permitted(staff, Permission.ADD_NOTES)
    text = body.strip()
    if not text:
        raise InvalidRequest("Write the note first.", field="note")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidRequest(f"Notes hold at most {MAX_NOTE_LENGTH} characters.", field="note")
    with uow:
        note = ReturnNote(
            store_id=staff.store_id,
            return_id=return_id_of(uow, staff.store_id, number),
            author=staff.actor_name,
            body=text,
            created_at=now,
        )
        uow.session.add(note)
        uow.commit()
    return note
