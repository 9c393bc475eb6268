"""The exchanges API over HTTP: pick, reserve, release, ship, cancel, and what is owed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from retour.db.models import Variant
from retour.payments.manual import ManualProvider
from retour.payments.registry import PaymentProviders
from retour.services.context import FixedClock
from retour.services.stores import create_api_key
from retour.web.app import create_app
from tests.api.conftest import LiveServer, serving
from tests.conftest import START, empty_all_tables
from tests.factories import make_store, order_payload


@pytest.fixture(scope="module")
def manual_server(settings, engine) -> Iterator[LiveServer]:
    """A server whose card payments are refunded by the built-in manual provider."""
    clock = FixedClock(START)
    providers = PaymentProviders({"card": ManualProvider("bank 42")})
    with serving(create_app(settings, clock=clock, providers=providers)) as base_url:
        yield LiveServer(base_url, clock)


def store_client(server: LiveServer, uow, slug: str) -> httpx.Client:
    make_store(uow, server.clock, slug=slug)
    key = create_api_key(uow, slug, "tests", server.clock.now())
    return httpx.Client(
        base_url=f"{server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


@pytest.fixture
def client(manual_server, engine, uow) -> Iterator[httpx.Client]:
    empty_all_tables(engine)
    manual_server.clock.current = START
    with store_client(manual_server, uow, "acme") as http:
        yield http


@pytest.fixture
def other_client(client, manual_server, uow) -> Iterator[httpx.Client]:
    with store_client(manual_server, uow, "other") as http:
        yield http


def exchange_return(client, units=1, return_method="ship_yourself") -> dict:
    """A return of `units` linen shirts size M for an exchange, with three size L in stock."""
    payload = order_payload("8001", placed_at=START - timedelta(days=4), quantities=(2, 1))
    order = client.post("/orders", json=payload).json()
    client.post("/inventory/adjustments", json={"sku": "LINEN-L", "quantity": 3})
    line = order["lines"][0]
    body = {
        "order_id": order["id"],
        "resolution": "exchange",
        "return_method": return_method,
        "lines": [{"order_line_id": line["id"], "quantity": units, "reason_code": "too_small"}],
    }
    return client.post("/returns", json=body).json()


def size_l(client, ret) -> dict:
    options = client.get(f"/returns/{ret['id']}/exchange-options").json()["items"]
    return next(option for option in options if option["sku"] == "LINEN-L")


def set_price(uow, variant_id: int, price: int) -> None:
    with uow:
        uow.session.get(Variant, variant_id).price = price
        uow.commit()


def receive(client, ret) -> httpx.Response:
    line = ret["lines"][0]
    body = {"lines": [{"line_id": line["id"], "quantity": line["quantities"]["requested"]}]}
    return client.post(f"/returns/{ret['id']}/receive", json=body)


def stock(client) -> dict[tuple[str, str], int]:
    items = client.get("/inventory/stock", params={"sku": "LINEN-L"}).json()["items"]
    return {(row["sku"], row["bucket"]): row["quantity"] for row in items if row["quantity"]}


def eventually(read: Callable[[], Any], until: Callable[[Any], bool]) -> Any:
    """What `read` gives once `until` holds (work the server does after its response)."""
    deadline = time.monotonic() + 10
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def test_a_size_swap_is_chosen_reserved_released_and_shipped_over_http(client):
    ret = exchange_return(client)
    option = size_l(client, ret)

    chosen = client.post(
        f"/returns/{ret['id']}/exchange",
        json={
            "kind": "same_product",
            "items": [{"variant_id": option["variant_id"], "quantity": 1}],
        },
    )
    client.post(f"/returns/{ret['id']}/approve")
    reserved = client.get(f"/exchanges/{chosen.json()['id']}").json()
    receive(client, ret)
    released = client.get("/exchanges", params={"status": "released"}).json()["items"]
    shipped = client.post(
        f"/exchanges/{chosen.json()['id']}/ship", json={"tracking_number": "1Z999"}
    )

    assert (option["unit_price"], option["in_stock"]) == (4900, 3)
    assert chosen.status_code == 201
    assert {k: chosen.json()[k] for k in ("status", "items_amount", "credit_amount")} == {
        "status": "draft",
        "items_amount": 5880,
        "credit_amount": 5880,
    }
    assert [(line["sku"], line["quantity"]) for line in chosen.json()["lines"]] == [("LINEN-L", 1)]
    assert reserved["status"] == "pending"
    assert [(item["id"], item["status"]) for item in released] == [
        (chosen.json()["id"], "released")
    ]
    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "1Z999")
    assert stock(client) == {("LINEN-L", "sellable"): 2}


def test_more_units_than_in_stock_are_refused_with_what_is_left_and_nothing_is_chosen(client):
    ret = exchange_return(client, units=2)
    option = size_l(client, ret)

    response = client.post(
        f"/returns/{ret['id']}/exchange",
        json={"items": [{"variant_id": option["variant_id"], "quantity": 4}]},
    )

    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"], problem["maximum"]) == (
        "quantity_exceeded",
        "items[0].quantity",
        3,
    )
    assert client.get("/exchanges").json()["items"] == []


def test_a_dearer_exchange_shows_the_balance_on_the_return_until_it_is_paid(client, uow):
    ret = exchange_return(client)
    option = size_l(client, ret)
    set_price(uow, option["variant_id"], 7000)
    chosen = client.post(
        f"/returns/{ret['id']}/exchange",
        json={
            "kind": "any_product",
            "items": [{"variant_id": option["variant_id"], "quantity": 1}],
        },
    ).json()
    client.post(f"/returns/{ret['id']}/approve")

    received = receive(client, ret).json()
    owing = client.get(f"/returns/{ret['id']}").json()
    listed = client.get("/returns").json()["items"]
    unpaid = client.post(f"/exchanges/{chosen['id']}/release")
    paid = client.post(
        f"/exchanges/{chosen['id']}/release", json={"balance_paid_reference": "shop order #88"}
    )

    assert (received["balance_due"], owing["balance_due"]) == (8400 - 5880, 2520)
    assert [r["balance_due"] for r in listed] == [2520]
    assert (unpaid.status_code, unpaid.json()["field"], unpaid.json()["balance_due"]) == (
        422,
        "balance_paid_reference",
        2520,
    )
    assert (paid.json()["status"], paid.json()["balance_paid_reference"]) == (
        "released",
        "shop order #88",
    )
    assert client.get(f"/returns/{ret['id']}").json()["balance_due"] == 0


@pytest.mark.parametrize("released_by", ["receipt", "staff_before_receipt"])
def test_the_leftover_paid_back_as_a_refund_is_settled_after_the_response(client, uow, released_by):
    client.patch("/settings/money", json={"exchange_fallback": "refund"})
    ret = exchange_return(client)
    option = size_l(client, ret)
    set_price(uow, option["variant_id"], 4000)  # 48.00 with tax: 10.80 less than the return
    chosen = client.post(
        f"/returns/{ret['id']}/exchange",
        json={"items": [{"variant_id": option["variant_id"], "quantity": 1}]},
    ).json()
    client.post(f"/returns/{ret['id']}/approve")

    if released_by == "receipt":
        response = receive(client, ret)
    else:
        response = client.post(f"/exchanges/{chosen['id']}/release")
    refunds = eventually(
        lambda: client.get(f"/returns/{ret['id']}/refunds").json()["items"],
        until=lambda items: items and items[0]["status"] != "pending",
    )

    assert response.status_code == 200
    assert [(r["method"], r["status"], r["provider_reference"]) for r in refunds] == [
        ("exchange", "succeeded", "bank 42")
    ]
    assert [(a["amount"], a["status"]) for a in refunds[0]["allocations"]] == [(1080, "succeeded")]
    assert client.get(f"/returns/{ret['id']}").json()["refund_status"] == "refunded"
    names = [e["name"] for e in client.get(f"/returns/{ret['id']}/events").json()["items"]]
    assert names[-3:] == ["exchange.released", "refund.pending", "refund.succeeded"]


def test_cancelling_gives_the_stock_back_and_cannot_happen_twice(client):
    ret = exchange_return(client)
    option = size_l(client, ret)
    chosen = client.post(
        f"/returns/{ret['id']}/exchange",
        json={"items": [{"variant_id": option["variant_id"], "quantity": 1}]},
    ).json()
    client.post(f"/returns/{ret['id']}/approve")
    assert stock(client) == {("LINEN-L", "reserved"): 1, ("LINEN-L", "sellable"): 2}

    cancelled = client.post(f"/exchanges/{chosen['id']}/cancel", json={"reason": "changed mind"})
    again = client.post(f"/exchanges/{chosen['id']}/cancel", json={"reason": "again"})

    assert (cancelled.json()["status"], cancelled.json()["note"]) == ("cancelled", "changed mind")
    assert stock(client) == {("LINEN-L", "sellable"): 3}
    assert (again.status_code, again.json()["code"], again.json()["current_status"]) == (
        409,
        "illegal_transition",
        "a cancelled exchange",
    )


def test_another_stores_exchange_is_not_found(client, other_client):
    ret = exchange_return(client)
    option = size_l(client, ret)
    chosen = client.post(
        f"/returns/{ret['id']}/exchange",
        json={"items": [{"variant_id": option["variant_id"], "quantity": 1}]},
    ).json()

    seen = other_client.get(f"/exchanges/{chosen['id']}")
    released = other_client.post(f"/exchanges/{chosen['id']}/release")

    assert (seen.status_code, seen.json()["code"]) == (404, "not_found")
    assert released.status_code == 404
    assert other_client.get("/exchanges").json()["items"] == []
    assert client.get(f"/exchanges/{chosen['id']}").json()["status"] == "draft"
