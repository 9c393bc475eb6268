"""Return locations and the routing rules that choose one for each new return."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from retour.domain.routing import MAX_ROUTES, Route, RouteMatch
from retour.services.return_locations import (
    ReturnLocation,
    add_return_location,
    return_locations,
    update_return_location,
)
from retour.services.return_routing import replace_return_routing, return_routing
from retour.web.api.deps import Api
from retour.web.api.shipment_schemas import AddressBody, AddressPublic

router = APIRouter(tags=["locations"])


class LocationPublic(BaseModel):
    code: str
    name: str
    is_default: bool = Field(description="where returns go that no routing rule sends elsewhere")
    address: AddressPublic = Field(description="labels' destination; empty until set")

    @classmethod
    def of(cls, location: ReturnLocation) -> LocationPublic:
        address = AddressPublic(**location.address.as_dict())
        return cls(
            code=location.code, name=location.name, is_default=location.is_default, address=address
        )


class LocationList(BaseModel):
    items: list[LocationPublic]


class LocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Annotated[str, Field(description="lower-case letters, digits, - and _; never changes")]
    name: str
    address: AddressBody | None = None
    is_default: bool = False


class LocationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = None
    address: AddressBody | None = None
    is_default: Annotated[
        bool | None,
        Field(description="true makes this the default (the former one stops being it)"),
    ] = None


class RoutePublic(BaseModel):
    location: str
    match: RouteMatch
    values: list[str]

    @classmethod
    def of(cls, route: Route) -> RoutePublic:
        return cls(location=route.location, match=route.match, values=list(route.values))


class RoutingPublic(BaseModel):
    routes: list[RoutePublic] = Field(description="in order: the first that matches wins")


class RouteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str
    match: str = Field(description="country or product_tag")
    values: list[Any] = Field(description="ISO 3166-1 alpha-2 countries, or product tags")


class RoutingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    routes: Annotated[list[RouteBody], Field(max_length=MAX_ROUTES)]


@router.get("/locations", response_model=LocationList)
def list_locations_route(api: Api) -> LocationList:
    """The store's return locations, the default first."""
    locations = return_locations(api.uow(), api.store_id)
    return LocationList(items=[LocationPublic.of(location) for location in locations])


@router.post(
    "/locations",
    response_model=LocationPublic,
    status_code=201,
    responses={409: {"description": "the code is taken"}, 422: {"description": "names the field"}},
)
def create_location_route(body: LocationCreate, api: Api) -> LocationPublic:
    location = add_return_location(
        api.uow(),
        api.store_id,
        body.code,
        body.name,
        body.address.to_domain() if body.address else None,
        body.is_default,
    )
    return LocationPublic.of(location)


@router.patch("/locations/{code}", response_model=LocationPublic)
def update_location_route(code: str, body: LocationUpdate, api: Api) -> LocationPublic:
    """Change what is given. `is_default` only takes `true`: a store always has a default."""
    location = update_return_location(
        api.uow(),
        api.store_id,
        code,
        body.name,
        body.address.to_domain() if body.address else None,
        body.is_default,
    )
    return LocationPublic.of(location)


@router.get("/settings/return-routing", response_model=RoutingPublic, tags=["settings"])
def get_routing_route(api: Api) -> RoutingPublic:
    routes = return_routing(api.uow(), api.store_id)
    return RoutingPublic(routes=[RoutePublic.of(route) for route in routes])


@router.put(
    "/settings/return-routing",
    response_model=RoutingPublic,
    tags=["settings"],
    responses={422: {"description": "names the field, e.g. `routes[1].values[0]`"}},
)
def replace_routing_route(body: RoutingUpdate, api: Api) -> RoutingPublic:
    """Replace the rules, in order. New returns follow them; returns already made do not move."""
    raw = [route.model_dump() for route in body.routes]
    routes = replace_return_routing(api.uow(), api.store_id, raw)
    return RoutingPublic(routes=[RoutePublic.of(route) for route in routes])
