"""A shopper finds their order: number plus e-mail address or postal code, rate-limited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import OrderRow, PortalLookupAttempt, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.portal import (
    LookupLimits,
    compact,
    order_key,
    proves_the_gift,
    proves_the_order,
    seconds_to_wait,
)
from retour.services.errors import NotFound


@dataclass(frozen=True)
class LookupRequest:
    order_number: str
    email: str = ""
    postal_code: str = ""
    #: For a gift's recipient, instead of the e-mail address or postal code.
    gift_code: str = ""


@dataclass(frozen=True)
class PortalAccess:
    """What a portal session may see: one order of one store."""

    store_id: int
    order_id: int
    #: Found with the gift receipt's code: the recipient's return, for store credit only.
    is_gift: bool = False


class OrderNotFound(InvalidRequest):
    """The same answer for every mismatch: which part was wrong is never told."""

    code = "order_not_found"

    def __init__(self) -> None:
        super().__init__(
            "We could not find an order with these details. Check the order number and the "
            "e-mail address or postal code, as in your order confirmation.",
            field="order_number",
        )


class TooManyTries(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many tries; try again in {retry_after} seconds")
        self.retry_after = retry_after


def store_of_portal(uow: UnitOfWork, slug: str) -> Store:
    with uow:
        store = uow.stores.by_slug(slug)
        if store is None:
            raise NotFound("store", slug)
        uow.session.expunge(store)
    return store


def find_order(
    uow: UnitOfWork,
    store_id: int,
    request: LookupRequest,
    client: str,
    now: datetime,
    limits: LookupLimits | None = None,
) -> PortalAccess:
    """The order the details prove, or `OrderNotFound`; `TooManyTries` once the client or the
    order number has failed `limits.tries` times within the window (tries then are not
    checked, so guessing cannot go on)."""
    limits = limits or LookupLimits()
    _check_fields(request)
    client_key = _digest(client)
    number_key = _digest(order_key(request.order_number))
    with uow:
        wait = _wait(uow, store_id, client_key, number_key, now, limits)
        if wait is not None:
            raise TooManyTries(wait)
        order_id = _matching_order(uow, store_id, request)
        is_gift = bool(compact(request.gift_code))
        uow.session.add(
            PortalLookupAttempt(
                store_id=store_id,
                client_key=client_key,
                order_key=number_key,
                is_success=order_id is not None,
                attempted_at=now,
            )
        )
        uow.commit()
    if order_id is None:
        raise OrderNotFound()
    return PortalAccess(store_id, order_id, is_gift)


def _check_fields(request: LookupRequest) -> None:
    if not order_key(request.order_number):
        raise InvalidRequest("Enter your order number.", field="order_number")
    if compact(request.gift_code):
        return
    if not compact(request.email) and not compact(request.postal_code):
        raise InvalidRequest(
            "Enter the e-mail address of the order, or its postal code.", field="email"
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _wait(
    uow: UnitOfWork,
    store_id: int,
    client_key: str,
    number_key: str,
    now: datetime,
    limits: LookupLimits,
) -> int | None:
    since = now - limits.window
    for column, key in (
        (PortalLookupAttempt.client_key, client_key),
        (PortalLookupAttempt.order_key, number_key),
    ):
        failures = uow.session.scalars(
            select(PortalLookupAttempt.attempted_at)
            .where(
                PortalLookupAttempt.store_id == store_id,
                column == key,
                PortalLookupAttempt.is_success.is_(False),
                PortalLookupAttempt.attempted_at > since,
            )
            .order_by(PortalLookupAttempt.attempted_at.desc())
            .limit(limits.tries)
        ).all()
        wait = seconds_to_wait(failures, now, limits)
        if wait is not None:
            return wait
    return None


def _matching_order(uow: UnitOfWork, store_id: int, request: LookupRequest) -> int | None:
    """Orders are matched on their number as typed, spaces, '#' and case aside."""
    typed = order_key(request.order_number)
    candidates = uow.session.execute(
        select(
            OrderRow.id,
            OrderRow.customer_email,
            OrderRow.shipping_postal_code,
            OrderRow.is_gift,
            OrderRow.gift_receipt_code,
        ).where(
            OrderRow.store_id == store_id,
            OrderRow.number.in_({typed, f"#{typed}", typed.upper(), f"#{typed.upper()}"}),
        )
    ).all()
    for order_id, email, postal_code, is_gift, gift_code in candidates:
        if compact(request.gift_code):
            if proves_the_gift(is_gift, gift_code, request.gift_code):
                return int(order_id)
        elif proves_the_order(email, postal_code, request.email, request.postal_code):
            return int(order_id)
    return None
