"""Steps the exchange tests share: stock to swap into, a return to exchange, what happened."""

from __future__ import annotations

from sqlalchemy import select

from retour.db.models import Event
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.services import queries
from retour.services import returns as use_cases
from retour.services.stock_adjustments import adjust_stock
from tests.factories import STAFF


def stock(uow, store_id):
    return {
        (row.sku, row.bucket): row.quantity
        for row in queries.stock_levels(uow, store_id)
        if row.quantity
    }


def stocked(uow, store_id, clock, sku="LINEN-L", quantity=3):
    adjust_stock(uow, store_id, sku=sku, quantity=quantity, actor=STAFF, now=clock.now())


def exchange_return(uow, store_id, order, clock, method=ReturnMethod.SHIP_YOURSELF, units=1):
    line = order.lines[0]
    request = use_cases.ReturnRequest(
        order.id,
        [LineRequest(line.id, units, "too_small")],
        resolution=Resolution.EXCHANGE,
        return_method=method,
    )
    return use_cases.request_return(uow, store_id, request, STAFF, clock.now())


def variant_id(uow, store_id, sku):
    with uow:
        return uow.stores.variant_ids_by_sku(store_id, [sku])[sku]


def names(uow, ret):
    with uow:
        statement = select(Event.name).where(Event.return_id == ret.id).order_by(Event.id)
        return list(uow.session.scalars(statement))
