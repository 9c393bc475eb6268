"""Inventory: stock levels and the movement ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from retour.domain.lines import StockBucket
from retour.services import queries
from retour.services.stock_adjustments import adjust_stock
from retour.web.api.deps import Api
from retour.web.api.schemas import MovementPage, MovementPublic, StockLevelPublic, StockList

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.get("/stock", response_model=StockList)
def stock_route(api: Api, sku: str | None = None, location: str | None = None) -> StockList:
    rows = queries.stock_levels(api.uow(), api.store_id, sku, location)
    return StockList(items=[StockLevelPublic.model_validate(row) for row in rows])


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: Annotated[str, Field(min_length=1, max_length=100)]
    quantity: Annotated[int, Field(ge=-1_000_000, le=1_000_000, description="signed, not 0")]
    bucket: StockBucket = StockBucket.SELLABLE
    location: Annotated[str | None, Field(max_length=64, description="default location")] = None
    note: Annotated[str, Field(max_length=2000)] = ""


class AdjustmentPublic(BaseModel):
    sku: str
    bucket: StockBucket
    level: int


@router.post("/adjustments", response_model=AdjustmentPublic, status_code=201)
def adjust_route(body: AdjustmentCreate, api: Api) -> JSONResponse:
    """Load opening stock or correct a count; one movement with cause `inventory.adjusted`."""
    return api.mutate(
        body,
        lambda uow: adjust_stock(
            uow,
            api.store_id,
            sku=body.sku,
            quantity=body.quantity,
            actor=api.actor,
            now=api.clock.now(),
            bucket=body.bucket,
            location_code=body.location,
            note=body.note,
        ),
        lambda level: AdjustmentPublic(sku=body.sku, bucket=body.bucket, level=level),
        status_code=201,
    )


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
