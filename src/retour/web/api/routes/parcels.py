"""Parcels that arrived with no return to match: record one (staff are e-mailed), list, close."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from retour.services import parcels
from retour.web.api.deps import Api

router = APIRouter(prefix="/unmatched-parcels", tags=["unmatched parcels"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such parcel in this store"},
    409: {"description": "The parcel is closed already (`current_status`)"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ParcelCreate(_Strict):
    tracking_number: Annotated[str, Field(max_length=100)] = ""
    carrier: Annotated[str, Field(max_length=50)] = ""
    sender: Annotated[str, Field(max_length=300, description="what the label says")] = ""
    note: Annotated[str, Field(max_length=4000, description="what is inside")] = ""


class ParcelClose(_Strict):
    return_id: int | None = Field(None, description="the return it turned out to belong to")
    note: Annotated[str, Field(max_length=4000, description="what was done with it")] = ""


class ParcelPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: Literal["open", "closed"]
    tracking_number: str
    carrier: str
    sender: str
    note: str
    received_at: datetime
    received_by: str
    return_id: int | None
    resolution_note: str
    closed_at: datetime | None


class ParcelPage(BaseModel):
    items: list[ParcelPublic]
    next_cursor: str | None


@router.post("", response_model=ParcelPublic, status_code=201)
def record_parcel_route(body: ParcelCreate, api: Api) -> JSONResponse:
    """A parcel that matches no return: recorded, and the store's staff get an e-mail."""
    arrival = parcels.ParcelArrival(body.tracking_number, body.carrier, body.sender, body.note)
    return api.mutate(
        body,
        lambda uow: parcels.record_unmatched_parcel(
            uow, api.store_id, arrival, api.actor, api.clock.now()
        ),
        ParcelPublic.model_validate,
        status_code=201,
    )


@router.get("", response_model=ParcelPage)
def list_parcels_route(
    api: Api,
    status: Literal["open", "closed"] | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ParcelPage:
    """Newest first."""
    page = parcels.list_parcels(api.uow(), api.store_id, status, cursor, limit)
    return ParcelPage(
        items=[ParcelPublic.model_validate(row) for row in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/{parcel_id}", response_model=ParcelPublic, responses=_RESPONSES)
def get_parcel_route(parcel_id: int, api: Api) -> ParcelPublic:
    return ParcelPublic.model_validate(parcels.get_parcel(api.uow(), api.store_id, parcel_id))


@router.post("/{parcel_id}/close", response_model=ParcelPublic, responses=_RESPONSES)
def close_parcel_route(parcel_id: int, body: ParcelClose, api: Api) -> JSONResponse:
    """It belonged to `return_id` (receive it there), or `note` says what was done."""
    return api.mutate(
        body,
        lambda uow: parcels.close_parcel(
            uow, api.store_id, parcel_id, body.return_id, body.note, api.actor, api.clock.now()
        ),
        ParcelPublic.model_validate,
    )
