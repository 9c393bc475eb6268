"""A store's return locations and its routing rules (domain/routing.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, delete, literal, null, select, union_all
from sqlalchemy.orm import Session

from retour.db.models import InventoryLocation, OrderRow, Product, ReturnRouteRow, Variant
from retour.domain.routing import Route, RouteMatch

#: The routes and the default location (position -1), in one statement: a store without
#: routes pays what the default location's look-up alone cost. The routes come first so that
#: the columns take their types (`values` is JSON).
ROUTING: CompoundSelect[Any] = union_all(
    select(
        ReturnRouteRow.location_id.label("id"),
        InventoryLocation.code,
        ReturnRouteRow.position,
        ReturnRouteRow.match,
        ReturnRouteRow.values,
    )
    .join(InventoryLocation, InventoryLocation.id == ReturnRouteRow.location_id)
    .where(ReturnRouteRow.store_id == bindparam("store_id")),
    select(
        InventoryLocation.id,
        InventoryLocation.code,
        literal(-1).label("position"),
        null().label("match"),
        null().label("values"),
    ).where(
        InventoryLocation.store_id == bindparam("store_id"), InventoryLocation.is_default.is_(True)
    ),
)


class LocationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self, store_id: int) -> list[InventoryLocation]:
        """The store's locations, the default first, then by code."""
        statement = (
            select(InventoryLocation)
            .where(InventoryLocation.store_id == store_id)
            .order_by(InventoryLocation.is_default.desc(), InventoryLocation.code)
        )
        return list(self.session.scalars(statement))

    def by_code(self, store_id: int, code: str) -> InventoryLocation | None:
        statement = select(InventoryLocation).where(
            InventoryLocation.store_id == store_id, InventoryLocation.code == code
        )
        return self.session.scalars(statement).one_or_none()

    def add(self, location: InventoryLocation) -> None:
        self.session.add(location)
        self.session.flush()

    def routing(self, store_id: int) -> tuple[int, list[tuple[int, Route]]]:
        """The default location's id and the routes in order, each with its location's id."""
        rows = sorted(
            self.session.connection().execute(ROUTING, {"store_id": store_id}).all(),
            key=lambda row: row.position,
        )
        if not rows or rows[0].position != -1:
            raise LookupError(f"store {store_id} has no default return location")
        routes = [
            (row.id, Route(row.code, RouteMatch(row.match), tuple(row.values))) for row in rows[1:]
        ]
        return rows[0].id, routes

    def routes(self, store_id: int) -> list[Route]:
        return [route for _, route in self.routing(store_id)[1]]

    def replace_routes(self, store_id: int, routes: Sequence[Route]) -> None:
        """The store's routes become these, in this order."""
        codes = {route.location for route in routes}
        statement = select(InventoryLocation.code, InventoryLocation.id).where(
            InventoryLocation.store_id == store_id, InventoryLocation.code.in_(codes)
        )
        ids = {code: location_id for code, location_id in self.session.execute(statement)}
        self.session.execute(delete(ReturnRouteRow).where(ReturnRouteRow.store_id == store_id))
        self.session.add_all(
            ReturnRouteRow(
                store_id=store_id,
                position=position,
                location_id=ids[route.location],
                match=route.match.value,
                values=list(route.values),
            )
            for position, route in enumerate(routes)
        )
        self.session.flush()

    def shipping_country(self, store_id: int, order_id: int) -> str:
        statement = select(OrderRow.shipping_country).where(
            OrderRow.id == order_id, OrderRow.store_id == store_id
        )
        return self.session.scalars(statement).one_or_none() or ""

    def product_tags(self, store_id: int, variant_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each variant's product tags."""
        if not variant_ids:
            return {}
        statement = (
            select(Variant.id, Product.tags)
            .join(Product, Product.id == Variant.product_id)
            .where(Variant.store_id == store_id, Variant.id.in_(set(variant_ids)))
        )
        rows = self.session.execute(statement)
        return {variant_id: list(tags or ()) for variant_id, tags in rows}
