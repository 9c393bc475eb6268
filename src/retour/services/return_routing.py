"""A store's routing rules: read them, replace them, and choose the location of a new return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.domain.orders import Order
from retour.domain.routing import Route, RouteMatch, checked_routes, route_for


def return_routing(uow: UnitOfWork, store_id: int) -> list[Route]:
    with uow:
        return uow.locations.routes(store_id)


def replace_return_routing(
    uow: UnitOfWork, store_id: int, routes: Sequence[dict[str, Any]]
) -> list[Route]:
    """The store's rules become these, in this order (an empty list: every return goes to the
    default location). Checked whole before anything is saved; returns already made keep their
    location."""
    with uow:
        known = [location.code for location in uow.locations.all(store_id)]
        checked = checked_routes(routes, known)
        uow.locations.replace_routes(store_id, checked)
        uow.commit()
        return checked


def location_for_return(
    uow: UnitOfWork, store_id: int, order: Order, lines: Sequence[LineRequest]
) -> int:
    """The id of the location a new return on these lines goes to, inside the caller's
    transaction. A store without rules reads one row; the order's country and the items' tags
    are read only when a rule asks for them."""
    default_id, routes = uow.locations.routing(store_id)
    if not routes:
        return default_id
    kinds = {route.match for _, route in routes}
    country = (
        uow.locations.shipping_country(store_id, order.id) if RouteMatch.COUNTRY in kinds else ""
    )
    item_tags: list[list[str]] = []
    if RouteMatch.PRODUCT_TAG in kinds:
        variant_ids = [_variant_id(order, line) for line in lines]
        tags = uow.locations.product_tags(store_id, [v for v in variant_ids if v is not None])
        item_tags = [tags.get(v, []) for v in variant_ids if v is not None]
    chosen = route_for([route for _, route in routes], country, item_tags)
    if chosen is None:
        return default_id
    return next(location_id for location_id, route in routes if route is chosen)


def _variant_id(order: Order, line: LineRequest) -> int | None:
    order_line = order.line(line.order_line_id)
    return order_line.variant_id if order_line is not None else None
