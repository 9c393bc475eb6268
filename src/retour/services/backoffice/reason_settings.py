"""Settings → return reasons: the store's reasons listed in the order shoppers see them, added,
edited, moved up or down, retired and brought back. Owners and admins (CONFIGURE_STORE).

A reason is retired rather than deleted: past returns keep pointing at its code, and the
portal stops offering it. A store keeps at least one active reason, or shoppers could not
ask for a return at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from retour.db.models import ReturnReason
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.audit import audit_entry
from retour.services.errors import NotFound

MAX_CODE_LENGTH = 64
MAX_LABEL_LENGTH = 200
_CODE = re.compile(rf"^[a-z0-9_]{{1,{MAX_CODE_LENGTH}}}$")


@dataclass(frozen=True)
class ReasonRow:
    id: int
    code: str
    label: str
    is_merchant_fault: bool
    requires_photo: bool
    requires_comment: bool
    is_active: bool


@dataclass(frozen=True)
class ReasonForm:
    """A reason's label and flags as typed; `code` only counts when the reason is new."""

    label: str
    is_merchant_fault: bool = False
    requires_photo: bool = False
    requires_comment: bool = False
    code: str = ""


def list_reasons(uow: UnitOfWork, staff: StaffMember) -> list[ReasonRow]:
    """The store's reasons in the order shoppers see them, retired ones included."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with uow:
        return [_row(reason) for reason in uow.stores.reasons(staff.store_id)]


def add_reason(uow: UnitOfWork, staff: StaffMember, form: ReasonForm) -> int:
    """A new active reason at the end of the list; its id."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    code = form.code.strip()
    if not _CODE.match(code):
        raise InvalidRequest(
            f"a code of 1 to {MAX_CODE_LENGTH} lowercase letters, digits or underscores, "
            "like too_small",
            field="code",
        )
    label = _label(form.label)
    with audit_entry(uow, staff, "reasons", "added", code) as entry:
        entry.details = _flags(label, form)
        taken = uow.session.scalars(
            select(ReturnReason.id).where(
                ReturnReason.store_id == staff.store_id, ReturnReason.code == code
            )
        ).first()
        if taken is not None:
            raise InvalidRequest(f"this store already has a reason {code!r}", field="code")
        last = uow.session.scalar(
            select(func.max(ReturnReason.position)).where(ReturnReason.store_id == staff.store_id)
        )
        reason = ReturnReason(
            store_id=staff.store_id, code=code, label=label,
            is_merchant_fault=form.is_merchant_fault, requires_photo=form.requires_photo,
            requires_comment=form.requires_comment, position=(last or 0) + 1, is_active=True,
        )  # fmt: skip
        uow.session.add(reason)
        uow.commit()
        return reason.id


def update_reason(
    uow: UnitOfWork, staff: StaffMember, reason_id: int, form: ReasonForm
) -> ReasonRow:
    """A new label and flags; the code stays, since past returns refer to it."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    label = _label(form.label)
    with audit_entry(uow, staff, "reasons", "changed") as entry:
        reason = _reason(uow, staff, reason_id)
        entry.subject, entry.details = reason.code, _flags(label, form)
        reason.label = label
        reason.is_merchant_fault = form.is_merchant_fault
        reason.requires_photo = form.requires_photo
        reason.requires_comment = form.requires_comment
        uow.commit()
        return _row(reason)


def move_reason(uow: UnitOfWork, staff: StaffMember, reason_id: int, direction: str) -> None:
    """Swap the reason with the one above (`up`) or below (`down`); at an end, nothing moves.

    Positions are renumbered 0, 1, 2… on the way, so equal positions left by older data still
    give one clear order."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    if direction not in ("up", "down"):
        raise InvalidRequest("move a reason up or down", field="direction")
    with audit_entry(uow, staff, "reasons", f"moved_{direction}") as entry:
        reasons = uow.stores.reasons(staff.store_id)
        index = next((i for i, reason in enumerate(reasons) if reason.id == reason_id), None)
        if index is None:
            raise NotFound("return reason", reason_id)
        entry.subject = reasons[index].code
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(reasons):
            reasons[index], reasons[other] = reasons[other], reasons[index]
        for position, reason in enumerate(reasons):
            reason.position = position
        uow.commit()


def set_reason_active(
    uow: UnitOfWork, staff: StaffMember, reason_id: int, active: bool
) -> ReasonRow:
    """Retire a reason (shoppers no longer see it) or bring it back; the last active one stays."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    with audit_entry(uow, staff, "reasons", "brought_back" if active else "retired") as entry:
        reason = _reason(uow, staff, reason_id)
        entry.subject = reason.code
        if not active and reason.is_active:
            others = uow.session.scalars(
                select(ReturnReason.id).where(
                    ReturnReason.store_id == staff.store_id,
                    ReturnReason.is_active.is_(True),
                    ReturnReason.id != reason.id,
                )
            ).first()
            if others is None:
                raise InvalidRequest(
                    f"You cannot retire {reason.code!r}: it is the store's only active reason, "
                    "and shoppers need one to ask for a return. Add or bring back another first.",
                    field="active",
                )
        reason.is_active = active
        uow.commit()
        return _row(reason)


def _flags(label: str, form: ReasonForm) -> dict[str, object]:
    return {
        "label": label,
        "merchant_fault": form.is_merchant_fault,
        "requires_photo": form.requires_photo,
        "requires_comment": form.requires_comment,
    }


def _label(text: str) -> str:
    label = text.strip()
    if not 1 <= len(label) <= MAX_LABEL_LENGTH:
        raise InvalidRequest(
            f"a label of 1 to {MAX_LABEL_LENGTH} characters, as shoppers will read it",
            field="label",
        )
    return label


def _reason(uow: UnitOfWork, staff: StaffMember, reason_id: int) -> ReturnReason:
    """A reason of the staff member's own store; another store's is not found."""
    reason = uow.session.scalars(
        select(ReturnReason).where(
            ReturnReason.id == reason_id, ReturnReason.store_id == staff.store_id
        )
    ).one_or_none()
    if reason is None:
        raise NotFound("return reason", reason_id)
    return reason


def _row(reason: ReturnReason) -> ReasonRow:
    return ReasonRow(
        reason.id, reason.code, reason.label, reason.is_merchant_fault, reason.requires_photo,
        reason.requires_comment, reason.is_active,
    )  # fmt: skip
