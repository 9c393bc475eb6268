"""Everything the return page shows staff: lines, photos, policy decision and risk, the
customer's history, shipments, the refund quote, the timeline with actors, internal notes,
and the actions this return allows that this staff member may take."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from retour.db.models import (
    Event,
    OrderRow,
    RefundRow,
    ReturnNote,
    ReturnPhoto,
    ReturnRow,
    ShipmentRow,
)
from retour.db.unit_of_work import UnitOfWork
from retour.domain.refund_basis import can_refund
from retour.domain.refund_quote import RefundQuote
from retour.domain.returns import Return
from retour.domain.shipments import (
    LabelStatus,
    ShipmentStatus,
    is_voidable,
    label_unavailable_because,
)
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.domain.statuses import ReturnAction, ReturnStatus
from retour.services.errors import NotFound
from retour.services.refunds.quoting import build_quote

#: Which permission each of the return's actions needs.
ACTION_PERMISSIONS: dict[ReturnAction, Permission] = {
    ReturnAction.APPROVE: Permission.REVIEW_RETURNS,
    ReturnAction.REJECT: Permission.REVIEW_RETURNS,
    ReturnAction.REQUEST_INFO: Permission.REVIEW_RETURNS,
    ReturnAction.ANSWER_INFO: Permission.REVIEW_RETURNS,
    ReturnAction.CANCEL: Permission.REVIEW_RETURNS,
    ReturnAction.MARK_IN_TRANSIT: Permission.HANDLE_PARCELS,
    ReturnAction.RECEIVE: Permission.HANDLE_PARCELS,
    ReturnAction.INSPECT: Permission.HANDLE_PARCELS,
    ReturnAction.COMPLETE: Permission.MOVE_MONEY,
    ReturnAction.EXPIRE: Permission.CONFIGURE_STORE,
    ReturnAction.EDIT_QUANTITIES: Permission.REVIEW_RETURNS,
    ReturnAction.CHANGE_LOCATION: Permission.REVIEW_RETURNS,
    ReturnAction.OVERRIDE_POLICY: Permission.MOVE_MONEY,
}
#: Statuses that do not count towards a customer's returns.
NOT_COUNTED = (ReturnStatus.REJECTED.value, ReturnStatus.CANCELLED.value)


@dataclass(frozen=True)
class CustomerHistory:
    orders: int
    returns: int

    @property
    def return_rate(self) -> float | None:
        """Returns per order placed; None without orders."""
        return self.returns / self.orders if self.orders else None


@dataclass(frozen=True)
class ShipmentSummary:
    id: int
    carrier: str
    tracking_number: str
    status: str
    label_status: str
    method: str
    expires_at: datetime

    def unprintable_because(self, now: datetime) -> str | None:
        """Why its files cannot be printed now (pending, failed, voided, expired), or None."""
        return label_unavailable_because(
            LabelStatus(self.label_status), ShipmentStatus(self.status), self.expires_at, now
        )

    @property
    def voidable(self) -> bool:
        return is_voidable(ShipmentStatus(self.status))


@dataclass(frozen=True)
class ReturnDetail:
    ret: Return
    #: Compare with the form's copy: a page older than the return's last change is stale.
    version_seen: str
    order_number: str
    order_placed_at: datetime
    history: CustomerHistory
    photos: dict[int, list[tuple[str, int | None]]]
    shipments: list[ShipmentSummary]
    quote: RefundQuote | None
    #: Refunds made so far, oldest first (failed ones offer a retry).
    refunds: list[RefundRow]
    events: list[Event]
    notes: list[ReturnNote]
    #: Actions the return allows now and the staff member may take, in the table's order.
    actions: list[ReturnAction]
    may_add_notes: bool
    may_refund: bool
    #: The return location it goes to (code), and the store's locations (code, name).
    location: str = ""
    locations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def decision(self) -> dict[str, Any]:
        return dict(self.ret.policy_decision or {})


def version_of(ret: Return) -> str:
    return ret.updated_at.isoformat()


def return_id_of(uow: UnitOfWork, store_id: int, number: str) -> int:
    """The id of the store's return with this RMA number (as typed: case and spaces aside)."""
    wanted = number.strip().upper()
    found = uow.session.scalar(
        select(ReturnRow.id).where(ReturnRow.store_id == store_id, ReturnRow.number == wanted)
    )
    if found is None:
        raise NotFound("return", number)
    return found


def return_detail(uow: UnitOfWork, staff: StaffMember, number: str) -> ReturnDetail:
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    with uow:
        ret = uow.returns.view(staff.store_id, return_id_of(uow, staff.store_id, number))
        if ret is None or ret.id is None:
            raise NotFound("return", number)
        order = uow.session.execute(
            select(OrderRow.number, OrderRow.placed_at).where(OrderRow.id == ret.order_id)
        ).one()
        refundable = can_refund(ret) and staff.may(Permission.MOVE_MONEY)
        return ReturnDetail(
            ret=ret,
            version_seen=version_of(ret),
            order_number=order.number,
            order_placed_at=order.placed_at,
            history=_history(uow, staff.store_id, ret.customer_email),
            photos=_photos(uow, ret.id),
            shipments=_shipments(uow, ret.id),
            quote=build_quote(uow, ret) if refundable else None,
            refunds=list(uow.refunds.for_return(ret.id)),
            events=list(
                uow.session.scalars(
                    select(Event).where(Event.return_id == ret.id).order_by(Event.id)
                )
            ),
            notes=list(
                uow.session.scalars(
                    select(ReturnNote).where(ReturnNote.return_id == ret.id).order_by(ReturnNote.id)
                )
            ),
            actions=[
                action
                for action in ret.allowed_actions()
                if action is not ReturnAction.EXPIRE and staff.may(ACTION_PERMISSIONS[action])
            ],
            may_add_notes=staff.may(Permission.ADD_NOTES),
            may_refund=refundable,
            **_locations(uow, staff.store_id, ret.id),
        )


def _locations(uow: UnitOfWork, store_id: int, return_id: int) -> dict[str, Any]:
    chosen = uow.session.scalar(select(ReturnRow.location_id).where(ReturnRow.id == return_id))
    every = uow.locations.all(store_id)
    current = next((location.code for location in every if location.id == chosen), "")
    return {"location": current, "locations": [(loc.code, loc.name) for loc in every]}


def _history(uow: UnitOfWork, store_id: int, email: str) -> CustomerHistory:
    orders = uow.session.scalar(
        select(func.count())
        .select_from(OrderRow)
        .where(OrderRow.store_id == store_id, OrderRow.customer_email == email)
    )
    returns = uow.session.scalar(
        select(func.count())
        .select_from(ReturnRow)
        .where(
            ReturnRow.store_id == store_id,
            ReturnRow.customer_email == email,
            ReturnRow.status.not_in(NOT_COUNTED),
        )
    )
    return CustomerHistory(orders or 0, returns or 0)


def _photos(uow: UnitOfWork, return_id: int) -> dict[int, list[tuple[str, int | None]]]:
    """Order line id → the tokens of its photos, with the unit each shows (None: the line)."""
    photos: dict[int, list[tuple[str, int | None]]] = {}
    rows = uow.session.execute(
        select(ReturnPhoto.order_line_id, ReturnPhoto.token, ReturnPhoto.unit)
        .where(ReturnPhoto.return_id == return_id)
        .order_by(ReturnPhoto.id)
    )
    for line_id, token, unit in rows:
        photos.setdefault(line_id, []).append((token, unit))
    return photos


def _shipments(uow: UnitOfWork, return_id: int) -> list[ShipmentSummary]:
    rows = uow.session.scalars(
        select(ShipmentRow).where(ShipmentRow.return_id == return_id).order_by(ShipmentRow.id)
    )
    return [
        ShipmentSummary(
            row.id,
            row.carrier,
            row.tracking_number,
            row.status,
            row.label_status,
            row.method,
            row.expires_at,
        )
        for row in rows
    ]


def read_return_photo(
    uow: UnitOfWork, staff: StaffMember, token: str, data_dir: Path
) -> tuple[bytes, str]:
    """A photo attached to one of the store's returns: its bytes and media type."""
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    with uow:
        photo = uow.session.scalars(
            select(ReturnPhoto).where(
                ReturnPhoto.token == token,
                ReturnPhoto.store_id == staff.store_id,
                ReturnPhoto.return_id.is_not(None),
            )
        ).one_or_none()
        if photo is None:
            raise NotFound("photo", token)
        return (data_dir / photo.path).read_bytes(), photo.media_type
