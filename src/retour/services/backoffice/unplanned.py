"""A parcel that arrived without an RMA, for an order the station found: an unplanned ("blind")
return of what is in the box, opened and approved at once, so that the station can receive
and grade it like any other.

The parcel is in the warehouse's hands, so the return policy does not get to refuse it: the
request carries a staff override, "arrived at the warehouse without an RMA", kept with the
return's decision for agents to see. What happens to the money afterwards is the store's
usual rule (its automatic refund setting, or an agent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import OrderRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import LineRequest
from retour.domain.orders import returnable_quantities
from retour.domain.returns import Return
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services import returns as use_cases
from retour.services.backoffice.actions import actor_of
from retour.services.errors import NotFound

OVERRIDE = "Arrived at the warehouse without an RMA"
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class BoxLine:
    order_line_id: int
    title: str
    sku: str
    #: Units no other return holds: at most this many can be in the box.
    returnable: int


@dataclass(frozen=True)
class UnplannedOrder:
    order_id: int
    number: str
    customer_email: str
    lines: list[BoxLine]
    #: The store's reasons, (code, label), in their order.
    reasons: list[tuple[str, str]]


def unplanned_order(uow: UnitOfWork, staff: StaffMember, order_id: int) -> UnplannedOrder:
    """What the station offers for an order whose parcel came without an RMA."""
    ensure_permitted(staff, Permission.HANDLE_PARCELS)
    return order_to_return(uow, staff.store_id, order_id)


def order_to_return(uow: UnitOfWork, store_id: int, order_id: int) -> UnplannedOrder:
    """The order's lines with the units no other return holds, and the store's reasons; the
    caller has checked the role."""
    with uow:
        order = uow.orders.get_for_returns(store_id, order_id)
        if order is None:
            raise NotFound("order", order_id)
        left = returnable_quantities(order, uow.returns.held_on_order(store_id, order.id))
        reasons = [(reason.code, reason.label) for reason in uow.stores.reasons(store_id)]
    return UnplannedOrder(
        order.id,
        order.number,
        order.customer_email,
        [BoxLine(line.id, line.title, line.sku, left.get(line.id, 0)) for line in order.lines],
        reasons,
    )


def order_found_by_scan(uow: UnitOfWork, staff: StaffMember, code: str) -> int | None:
    """The id of the store's order with this number (as scanned: with or without `#`)."""
    ensure_permitted(staff, Permission.HANDLE_PARCELS)
    return order_id_by_number(uow, staff.store_id, code)


def order_id_by_number(uow: UnitOfWork, store_id: int, number: str) -> int | None:
    text = number.strip()
    bare = text.lstrip("#")
    with uow:
        return uow.session.scalar(
            select(OrderRow.id).where(
                OrderRow.store_id == store_id, OrderRow.number.in_({text, bare, f"#{bare}"})
            )
        )


def open_unplanned_return(
    uow: UnitOfWork,
    staff: StaffMember,
    order_id: int,
    units: Mapping[int, int],
    reason_code: str,
    note: str,
    now: datetime,
) -> Return:
    """Open and approve a return of `units` (order line id → units in the box), in one
    transaction; the station receives it next."""
    ensure_permitted(staff, Permission.HANDLE_PARCELS)
    in_box = {line_id: count for line_id, count in units.items() if count > 0}
    if not in_box:
        raise InvalidRequest("Say how many units of each item are in the parcel.", field="lines")
    if not reason_code:
        raise InvalidRequest("Choose the reason that fits best.", field="reason")
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidRequest(f"at most {MAX_NOTE_LENGTH} characters", field="note")
    actor = actor_of(staff)
    request = use_cases.ReturnRequest(
        order_id,
        [LineRequest(line_id, count, reason_code) for line_id, count in sorted(in_box.items())],
        customer_note=note.strip() or OVERRIDE,
        policy_override=OVERRIDE,
    )
    with uow:
        ret = use_cases.request_return(uow, staff.store_id, request, actor, now)
        assert ret.id is not None
        if ret.status.value == "requested":  # a policy may already have approved it
            ret = use_cases.approve_return(uow, staff.store_id, ret.id, actor, now)
        uow.commit()
    return ret
