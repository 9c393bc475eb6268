"""Builders for test data: stores, order payloads, returns in a given state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.services import returns as use_cases
from retour.services.context import Actor, FixedClock
from retour.services.order_import import ImportResult, OrderImport, import_order
from retour.services.stores import create_store

STAFF = Actor("staff", "ann@acme.test")


def make_store(uow: UnitOfWork, clock: FixedClock, slug: str = "acme") -> int:
    return create_store(uow, slug=slug, name=slug.title(), currency="EUR", now=clock.now())


def order_payload(
    platform_id: str = "1001",
    *,
    placed_at: datetime,
    quantities: tuple[int, ...] = (2, 1),
    fulfilled: tuple[int, ...] | None = None,
    email: str = "Shopper@Example.com",
) -> dict[str, Any]:
    """An order of linen shirts (line 1: size M, line 2: size L, and so on)."""
    fulfilled = quantities if fulfilled is None else fulfilled
    sizes = ["M", "L", "S", "XL", "XS"]
    lines = [
        {
            "id": f"{platform_id}-{index}",
            "sku": f"LINEN-{sizes[index]}",
            "title": f"Linen shirt {sizes[index]}",
            "quantity": quantity,
            "unit_price": 4900,
            "line_discount": 0,
            "order_discount_allocated": 0,
            "tax": 980 * quantity,
            "options": {"size": sizes[index]},
            "product": {"handle": "linen-shirt", "title": "Linen shirt", "collection": "Shirts"},
        }
        for index, quantity in enumerate(quantities)
    ]
    return {
        "id": platform_id,
        "number": f"#{platform_id}",
        "placed_at": placed_at.isoformat(),
        "currency": "EUR",
        "customer": {"email": email, "name": "Sam Shopper"},
        "shipping": {"amount": 495, "postal_code": "75011", "country": "fr"},
        "lines": lines,
        "payments": [{"id": f"{platform_id}-p", "gateway": "card", "amount": 20000}],
        "fulfilments": [
            {
                "id": f"{platform_id}-f",
                "shipped_at": (placed_at + timedelta(days=1)).isoformat(),
                "delivered_at": (placed_at + timedelta(days=3)).isoformat(),
                "lines": [
                    {"line_id": f"{platform_id}-{index}", "quantity": quantity}
                    for index, quantity in enumerate(fulfilled)
                    if quantity
                ],
            }
        ],
    }


def import_sample_order(
    uow: UnitOfWork, store_id: int, clock: FixedClock, **options: Any
) -> ImportResult:
    payload = OrderImport.model_validate(
        order_payload(placed_at=clock.now() - timedelta(days=10), **options)
    )
    return import_order(uow, store_id, payload, STAFF, clock.now())


def request_return(
    uow: UnitOfWork, store_id: int, order: Any, clock: FixedClock, quantities=(2, 1)
):
    """A return of `quantities` units of the order's lines in turn (0: the line stays out),
    all for "too small", requested by staff."""
    lines = [
        LineRequest(line.id, quantity, "too_small")
        for line, quantity in zip(order.lines, quantities, strict=True)
        if quantity
    ]
    return use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.id, lines), STAFF, clock.now()
    )
