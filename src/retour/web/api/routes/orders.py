"""Orders: import (create or update) and read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from retour.services import queries
from retour.services.order_import import OrderImport, import_order
from retour.web.api.deps import Api
from retour.web.api.schemas import OrderPage, OrderPublic

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post(
    "",
    response_model=OrderPublic,
    status_code=201,
    responses={200: {"model": OrderPublic, "description": "Imported before; updated or unchanged"}},
)
def import_order_route(body: OrderImport, api: Api) -> JSONResponse:
    """Create (201) or update (200) an order; idempotent on its platform id `id`."""
    return api.mutate(
        body,
        lambda uow: import_order(uow, api.store_id, body, api.actor, api.clock.now()),
        lambda result: OrderPublic.model_validate(result.order),
        status_code=lambda result: 201 if result.created else 200,
    )


@router.get("", response_model=OrderPage)
def list_orders_route(
    api: Api,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    number: str | None = None,
    customer_email: str | None = None,
) -> OrderPage:
    page = queries.list_orders(api.uow(), api.store_id, cursor, limit, number, customer_email)
    return OrderPage(
        items=[OrderPublic.model_validate(row) for row in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/{order_id}", response_model=OrderPublic)
def get_order_route(order_id: int, api: Api) -> OrderPublic:
    return OrderPublic.model_validate(queries.get_order(api.uow(), api.store_id, order_id))
