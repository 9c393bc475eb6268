"""A shopper follows a return of their order: where it is, what happened, what comes next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import InventoryLocation, ReturnRow
from retour.db.repositories.returns import RMA_NUMBER_BASE
from retour.db.repositories.shipments import location_address
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import address_lines
from retour.domain.errors import InvalidRequest
from retour.domain.lines import ReturnMethod
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services.errors import NotFound
from retour.services.portal.exchange_choice import PortalExchange, latest_exchange
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.submitting import SHOPPER
from retour.services.queries import return_events
from retour.services.returns import answer_return_info, cancel_return, mark_return_in_transit

#: The timeline in the shopper's words; events not listed here are staff matters.
EVENT_SENTENCES = {
    "return.requested": "You asked for this return.",
    "return.approved": "Your return was approved.",
    "return.rejected": "Your return was declined.",
    "return.info_requested": "The store asked you a question.",
    "return.info_provided": "You answered the store's question.",
    "return.in_transit": "Your parcel is on its way.",
    "return.arrived": "Your parcel arrived at the warehouse.",
    "return.received": "The warehouse received your items.",
    "return.inspected": "Your items were checked.",
    "return.completed": "Your return is complete.",
    "return.cancelled": "The return was cancelled.",
    "return.expired": "The return expired before the parcel was sent.",
    "refund.succeeded": "Your refund was paid.",
    "store_credit.issued": "Your store credit was issued.",
    "exchange.created": "You chose an exchange.",
    "exchange.reserved": "Your exchange item was set aside for you.",
    "exchange.balance_due": "The store is waiting for you to pay the exchange's difference.",
    "exchange.released": "Your exchange is being prepared.",
    "exchange.shipped": "Your exchange item was sent.",
    "exchange.cancelled": "The exchange was cancelled.",
}

NEXT_STEPS = {
    ReturnStatus.REQUESTED: "The store will look at your request and e-mail you its answer.",
    ReturnStatus.NEEDS_INFO: "The store needs more information: see its e-mail.",
    ReturnStatus.APPROVED: "Pack the items with the packing slip and send them back.",
    ReturnStatus.IN_TRANSIT: "Your parcel is on its way; we will e-mail you when it arrives.",
    ReturnStatus.PARTIALLY_RECEIVED: "Part of your items arrived; we are waiting for the rest.",
    ReturnStatus.RECEIVED: "Your items arrived and will be checked shortly.",
    ReturnStatus.INSPECTED: "Your items were checked; your refund or credit is on its way.",
    ReturnStatus.COMPLETED: "Nothing more to do.",
    ReturnStatus.REJECTED: "Nothing more to do. Reply to the store's e-mail with questions.",
    ReturnStatus.CANCELLED: "Nothing more to do.",
    ReturnStatus.EXPIRED: "Nothing more to do. Start a new return if items can still go back.",
}


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    sentence: str


@dataclass(frozen=True)
class PortalReturn:
    return_id: int
    ret: Return
    timeline: tuple[TimelineEntry, ...]
    next_step: str
    exchange: PortalExchange | None = None
    #: Where to send the parcel, as the post reads it: for a return the shopper ships
    #: themselves, once approved (empty when the location has no address yet).
    send_to: tuple[str, ...] = ()

    @property
    def can_cancel(self) -> bool:
        return self.ret.can_cancel()

    @property
    def asks_for_tracking(self) -> bool:
        """Approved, shipped by the shopper, and no tracking number given yet."""
        return _ships_it_now(self.ret)

    @property
    def awaits_answer(self) -> bool:
        return self.ret.status == ReturnStatus.NEEDS_INFO


def portal_return(uow: UnitOfWork, access: PortalAccess, number: str) -> PortalReturn:
    """The return `number` if it belongs to the session's order; NotFound otherwise, the
    same for another shopper's return as for one that does not exist."""
    return_id, ret = _own_return(uow, access, number)
    timeline = tuple(
        TimelineEntry(event.occurred_at, EVENT_SENTENCES[event.name])
        for event in return_events(uow, access.store_id, return_id)
        if event.name in EVENT_SENTENCES
    )
    with uow:  # one that fell back to credit or a refund keeps showing its cancelled exchange
        exchange = latest_exchange(uow, access.store_id, return_id)
        send_to = _send_to(uow, ret) if _ships_it_now(ret) else ()
    next_step = NEXT_STEPS.get(ret.status, "")
    return PortalReturn(return_id, ret, timeline, next_step, exchange, send_to)


def _ships_it_now(ret: Return) -> bool:
    return ret.status == ReturnStatus.APPROVED and ret.return_method is ReturnMethod.SHIP_YOURSELF


def _send_to(uow: UnitOfWork, ret: Return) -> tuple[str, ...]:
    """The return's location's address lines (the location staff may have changed)."""
    location = uow.session.scalar(
        select(InventoryLocation)
        .join(ReturnRow, ReturnRow.location_id == InventoryLocation.id)
        .where(ReturnRow.id == ret.id, ReturnRow.store_id == ret.store_id)
    )
    if location is None:
        return ()
    address = location_address(location)
    return () if address.is_empty() else tuple(address_lines(address))


def cancel_own_return(uow: UnitOfWork, access: PortalAccess, number: str, now: datetime) -> Return:
    return_id, _ = _own_return(uow, access, number)
    return cancel_return(uow, access.store_id, return_id, SHOPPER, now, "cancelled by the shopper")


def answer_own_return(
    uow: UnitOfWork, access: PortalAccess, number: str, message: str, now: datetime
) -> Return:
    """The shopper answers the store's question; the return goes back to the store."""
    return_id, _ = _own_return(uow, access, number)
    if not message.strip():
        raise InvalidRequest("Write your answer to the store's question.", field="message")
    return answer_return_info(uow, access.store_id, return_id, SHOPPER, now, message)


def add_own_tracking(
    uow: UnitOfWork,
    access: PortalAccess,
    number: str,
    tracking_number: str,
    carrier: str,
    now: datetime,
) -> Return:
    """A shopper shipping it themselves gives the parcel's tracking number: in transit."""
    return_id, ret = _own_return(uow, access, number)
    if not tracking_number.strip():
        raise InvalidRequest("Enter the parcel's tracking number.", field="tracking_number")
    if ret.return_method is not ReturnMethod.SHIP_YOURSELF:
        raise InvalidRequest(
            "This return travels on the store's label, which is tracked already.",
            field="tracking_number",
        )
    return mark_return_in_transit(
        uow, access.store_id, return_id, SHOPPER, now, tracking_number[:64], carrier[:50]
    )


def _own_return(uow: UnitOfWork, access: PortalAccess, number: str) -> tuple[int, Return]:
    return_id = _return_id(number)
    ret = None
    if return_id is not None:
        with uow:
            ret = uow.returns.view(access.store_id, return_id)
    if return_id is None or ret is None or ret.order_id != access.order_id:
        raise NotFound("return", number)
    return return_id, ret


def _return_id(number: str) -> int | None:
    digits = number.upper().removeprefix("R-")
    if not digits.isdigit() or len(digits) > 12:
        return None
    return_id = int(digits) - RMA_NUMBER_BASE
    return return_id if return_id > 0 else None
