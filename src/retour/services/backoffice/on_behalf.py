"""A return staff open for a shopper (on the phone, by e-mail, at the till): the order's
items, what to send back and why, how it is resolved and sent. The return policy decides as
for the shopper; staff may override its refusals by giving a reason, kept with the return's
decision (docs/policy.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.returns import Return
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services import returns as use_cases
from retour.services.backoffice.actions import actor_of
from retour.services.backoffice.unplanned import (
    MAX_NOTE_LENGTH,
    UnplannedOrder,
    order_id_by_number,
    order_to_return,
)
from retour.services.errors import NotFound

ChoiceT = TypeVar("ChoiceT", Resolution, ReturnMethod)
#: What staff may choose; keep-item is the policy's offer, not a staff choice here.
RESOLUTIONS = (Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE)
METHODS = (
    ReturnMethod.PREPAID_LABEL, ReturnMethod.QR_DROP_OFF, ReturnMethod.SHIP_YOURSELF,
    ReturnMethod.IN_STORE,
)  # fmt: skip


@dataclass(frozen=True)
class NewReturn:
    units: Mapping[int, int]
    reason_code: str
    resolution: str
    method: str
    note: str = ""
    #: Given only to override the policy's refusals.
    override_reason: str = ""


def order_for_new_return(uow: UnitOfWork, staff: StaffMember, order_number: str) -> UnplannedOrder:
    ensure_permitted(staff, Permission.REVIEW_RETURNS)
    if not order_number.strip():
        raise InvalidRequest("Type the order number.", field="order")
    order_id = order_id_by_number(uow, staff.store_id, order_number)
    if order_id is None:
        raise InvalidRequest(f"No order {order_number.strip()} in this store.", field="order")
    return order_to_return(uow, staff.store_id, order_id)


def open_return_for_shopper(
    uow: UnitOfWork, staff: StaffMember, order_id: int, wanted: NewReturn, now: datetime
) -> Return:
    ensure_permitted(staff, Permission.REVIEW_RETURNS)
    lines = [
        LineRequest(line_id, units, wanted.reason_code)
        for line_id, units in sorted(wanted.units.items())
        if units > 0
    ]
    if not lines:
        raise InvalidRequest("Say how many units of which item go back.", field="lines")
    if not wanted.reason_code:
        raise InvalidRequest("Choose the reason.", field="reason")
    resolution = _choice(wanted.resolution, RESOLUTIONS, "resolution")
    method = _choice(wanted.method, METHODS, "method")
    if len(wanted.note) > MAX_NOTE_LENGTH:
        raise InvalidRequest(f"at most {MAX_NOTE_LENGTH} characters", field="note")
    request = use_cases.ReturnRequest(
        order_id, lines, resolution=resolution, return_method=method,
        customer_note=wanted.note.strip(),
        policy_override=wanted.override_reason.strip() or None,
    )  # fmt: skip
    try:
        return use_cases.request_return(uow, staff.store_id, request, actor_of(staff), now)
    except NotFound:
        raise InvalidRequest("That order is not in this store.", field="order") from None


def _choice(value: str, allowed: tuple[ChoiceT, ...], field: str) -> ChoiceT:
    for option in allowed:
        if option.value == value:
            return option
    raise InvalidRequest(f"Choose one of the {field.replace('_', ' ')}s offered.", field=field)
