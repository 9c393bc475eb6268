"""Inventory: stock levels and the movement ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from retour.services import queries
from retour.web.api.deps import Api
from retour.web.api.schemas import MovementPage, MovementPublic, StockLevelPublic, StockList

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.get("/stock", response_model=StockList)
def stock_route(api: Api, sku: str | None = None, location: str | None = None) -> StockList:
    rows = queries.stock_levels(api.uow(), api.store_id, sku, location)
    return StockList(items=[StockLevelPublic.model_validate(row) for row in rows])


@router.get("/movements", response_model=MovementPage)
def movements_route(
    api: Api,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    sku: str | None = None,
    return_id: int | None = None,
) -> MovementPage:
    page = queries.inventory_movements(api.uow(), api.store_id, cursor, limit, sku, return_id)
    return MovementPage(
        items=[MovementPublic.model_validate(row) for row in page.items],
        next_cursor=page.next_cursor,
    )
