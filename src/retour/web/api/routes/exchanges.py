"""Exchanges: choose replacement items, then release, ship or cancel the replacement order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import JSONResponse

from retour.db.models import ReplacementOrderRow
from retour.db.unit_of_work import UnitOfWork
from retour.services.exchanges.choosing import ItemChoice, choose_exchange
from retour.services.exchanges.lifecycle import cancel_exchange, release_exchange, ship_exchange
from retour.services.exchanges.queries import exchange_options, list_exchanges
from retour.services.exchanges.records import get_replacement
from retour.services.queries import decode_cursor, encode_cursor
from retour.web.api.deps import Api
from retour.web.api.exchange_schemas import (
    ExchangeCancelBody,
    ExchangeCreate,
    ExchangePage,
    ExchangePublic,
    ReleaseBody,
    ShipBody,
    VariantOptionList,
    VariantOptionPublic,
)
from retour.web.api.routes.refunds import Providers, settle_return_later

router = APIRouter(tags=["exchanges"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such return or exchange in this store"},
    409: {"description": "The return or exchange is in a state that does not allow this"},
    422: {"description": "Invalid input, e.g. more units than are in stock"},
}


@router.get("/returns/{return_id}/exchange-options", response_model=VariantOptionList)
def exchange_options_route(return_id: int, api: Api) -> VariantOptionList:
    """The returned products' variants with price and sellable stock (the variant picker)."""
    options = exchange_options(api.uow(), api.store_id, return_id)
    return VariantOptionList(items=[VariantOptionPublic(**option.__dict__) for option in options])


@router.post(
    "/returns/{return_id}/exchange",
    response_model=ExchangePublic,
    status_code=201,
    responses=_RESPONSES,
)
def choose_exchange_route(return_id: int, body: ExchangeCreate, api: Api) -> JSONResponse:
    """Choose what the return is exchanged for; stock is reserved once it is approved."""
    choices = [ItemChoice(item.variant_id, item.quantity) for item in body.items]
    return api.mutate(
        body,
        lambda uow: choose_exchange(
            uow, api.store_id, return_id, body.kind, choices, api.actor, api.clock.now()
        ),
        ExchangePublic.model_validate,
        status_code=201,
    )


@router.get("/exchanges", response_model=ExchangePage)
def list_exchanges_route(
    api: Api,
    status: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ExchangePage:
    """Oldest first; a shop or WMS polls `?status=released` for replacements to ship."""
    rows = list_exchanges(api.uow(), api.store_id, status, decode_cursor(cursor), limit + 1)
    page = rows[:limit]
    return ExchangePage(
        items=[ExchangePublic.model_validate(row) for row in page],
        next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None,
    )


@router.get("/exchanges/{exchange_id}", response_model=ExchangePublic)
def get_exchange_route(exchange_id: int, api: Api) -> ExchangePublic:
    with api.uow() as uow:
        return ExchangePublic.model_validate(get_replacement(uow, api.store_id, exchange_id))


@router.post(
    "/exchanges/{exchange_id}/release", response_model=ExchangePublic, responses=_RESPONSES
)
def release_exchange_route(
    exchange_id: int,
    api: Api,
    background: BackgroundTasks,
    providers: Providers,
    body: ReleaseBody | None = None,
) -> JSONResponse:
    """Hand the replacement over for fulfilment (before the parcel is back, or once paid).

    When the replacement costs less and the store pays the rest back as a refund, that refund
    is settled with the payment provider right after the response.
    """
    reference = body.balance_paid_reference if body is not None else ""

    def release(uow: UnitOfWork) -> ReplacementOrderRow:
        replacement = release_exchange(
            uow, api.store_id, exchange_id, api.actor, api.clock.now(), reference
        )
        settle_return_later(replacement.return_id, api, background, providers)
        return replacement

    return api.mutate(body, release, _public)


@router.post("/exchanges/{exchange_id}/ship", response_model=ExchangePublic, responses=_RESPONSES)
def ship_exchange_route(exchange_id: int, api: Api, body: ShipBody | None = None) -> JSONResponse:
    tracking = body.tracking_number if body is not None else ""
    return api.mutate(
        body,
        lambda uow: ship_exchange(
            uow, api.store_id, exchange_id, api.actor, api.clock.now(), tracking
        ),
        _public,
    )


@router.post("/exchanges/{exchange_id}/cancel", response_model=ExchangePublic, responses=_RESPONSES)
def cancel_exchange_route(exchange_id: int, body: ExchangeCancelBody, api: Api) -> JSONResponse:
    """Cancel before release; reserved units go back to sellable stock."""
    return api.mutate(
        body,
        lambda uow: cancel_exchange(
            uow, api.store_id, exchange_id, api.actor, api.clock.now(), body.reason
        ),
        _public,
    )


def _public(row: ReplacementOrderRow) -> ExchangePublic:
    return ExchangePublic.model_validate(row)
