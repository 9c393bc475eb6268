"""The policy engine's inputs read from the database (both engines): the order with its
catalogue facts and fulfilment dates, what other returns hold, the customer's record, the
store's return rate; and the built-in policy that reproduces the store's fee settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from retour.db.models import Product
from retour.domain.inputs import LineRequest
from retour.domain.policy import CandidateLine, CustomerHistory, OrderedItem, PastReturn
from retour.services import returns as use_cases
from retour.services.order_import import OrderImport, import_order
from retour.services.policy.inputs import (
    LineAsk,
    forget_store_return_rates,
    gather_policy_inputs,
)
from retour.services.policy.live import draft_policy, policy_in_force
from retour.services.store_settings import update_money_settings
from tests.factories import STAFF, make_store

POLICY = draft_policy({"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30}})


@pytest.fixture(autouse=True)
def _fresh_store_rates():
    forget_store_return_rates()


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


def import_payload(uow, store_id, clock, payload: dict[str, Any]):
    return import_order(uow, store_id, OrderImport.model_validate(payload), STAFF, clock.now())


@pytest.fixture
def order(uow, store_id, clock):
    """Two tees (Shirts, summer; one delivered, one still on its way), socks that cannot be
    returned, a ring marked final sale and never shipped."""
    now = clock.now()
    placed = now - timedelta(days=10)
    return import_payload(uow, store_id, clock, {
        "id": "p-1", "number": "#1", "placed_at": placed.isoformat(), "currency": "EUR",
        "customer": {"email": "sam@example.com"}, "is_gift": True,
        "shipping": {"amount": 500, "tax": 100, "postal_code": "75011", "country": "fr"},
        "lines": [
            {"id": "a", "sku": "TEE-1", "title": "Tee", "quantity": 2, "unit_price": 4000,
             "line_discount": 200, "order_discount_allocated": 100, "tax": 1500,
             "product": {"handle": "tee", "title": "Tee", "collection": "Shirts",
                         "tags": ["summer", "linen"]}},
            {"id": "b", "sku": "SOCK-1", "title": "Socks", "quantity": 1, "unit_price": 900,
             "product": {"handle": "socks", "title": "Socks", "is_returnable": False}},
            {"id": "c", "sku": "RING-1", "title": "Ring", "quantity": 1, "unit_price": 9000,
             "product": {"handle": "ring", "title": "Ring", "is_final_sale": True}},
        ],
        "fulfilments": [
            {"id": "f1", "shipped_at": (placed + timedelta(days=1)).isoformat(),
             "delivered_at": (placed + timedelta(days=3)).isoformat(),
             "lines": [{"line_id": "a", "quantity": 1}]},
            {"id": "f2", "shipped_at": (placed + timedelta(days=4)).isoformat(),
             "lines": [{"line_id": "a", "quantity": 1}, {"line_id": "b", "quantity": 1}]},
        ],
    }).order  # fmt: skip


@pytest.fixture
def earlier_order(uow, store_id, clock):
    placed = clock.now() - timedelta(days=40)
    return import_payload(uow, store_id, clock, {
        "id": "p-0", "number": "#0", "placed_at": placed.isoformat(), "currency": "EUR",
        "customer": {"email": "sam@example.com"},
        "lines": [{"id": "x", "sku": "TEE-2", "title": "Tee", "quantity": 3, "unit_price": 100}],
        "fulfilments": [{"id": "fx", "shipped_at": placed.isoformat(),
                         "lines": [{"line_id": "x", "quantity": 3}]}],
    }).order  # fmt: skip


def open_return(uow, store_id, order, clock, line_index: int, quantity: int, days_ago: int = 0):
    clock.current -= timedelta(days=days_ago)
    try:
        line = order.lines[line_index]
        request = use_cases.ReturnRequest(order.id, [LineRequest(line.id, quantity, "too_small")])
        return use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    finally:
        clock.current += timedelta(days=days_ago)


def test_the_order_is_read_with_its_catalogue_facts_dates_and_what_other_returns_hold(
    uow, store_id, order, clock
):
    open_return(uow, store_id, order, clock, 0, 1)
    placed = clock.now() - timedelta(days=10)
    with uow:
        product_ids = {p.handle: str(p.id) for p in uow.session.query(Product).all()}
        inputs = gather_policy_inputs(
            uow,
            store_id,
            POLICY.policy,
            order.id,
            [LineAsk(order.lines[0].id, 1, "damaged", photo_count=2),
             LineAsk(order.lines[1].id, 1, "too_small", comment="itchy")],
        )  # fmt: skip

    tee, socks, ring = order.lines
    assert inputs.order.items == (
        OrderedItem(
            order_line_id=tee.id, sku="TEE-1", title="Tee", quantity=2, fulfilled_quantity=2,
            unit_price=4000, line_discount=200, order_discount=100, tax=1500,
            product_id=product_ids["tee"], tags=frozenset({"summer", "linen"}),
            collections=frozenset({"Shirts"}), returned_quantity=1,
            shipped_at=placed + timedelta(days=4), delivered_at=placed + timedelta(days=3),
        ),
        OrderedItem(
            order_line_id=socks.id, sku="SOCK-1", title="Socks", quantity=1,
            fulfilled_quantity=1, unit_price=900, product_id=product_ids["socks"],
            is_final_sale=True, shipped_at=placed + timedelta(days=4),
        ),
        OrderedItem(
            order_line_id=ring.id, sku="RING-1", title="Ring", quantity=1, fulfilled_quantity=0,
            unit_price=9000, product_id=product_ids["ring"], is_final_sale=True,
        ),
    )  # fmt: skip
    context = inputs.order
    assert (context.order_id, context.currency, context.placed_at, context.is_gift) == (
        order.id,
        "EUR",
        placed,
        True,
    )
    assert (context.customer_email, context.shipping_address, context.shipping_country) == (
        "sam@example.com",
        "75011 FR",
        "FR",
    )
    assert (context.shipping_paid, context.return_country, context.label_cost) == (600, "FR", None)
    assert (context.shipped_at, context.delivered_at) == (
        placed + timedelta(days=4),
        placed + timedelta(days=3),
    )
    # Of 4 units sold, the open return holds 1.
    assert context.store_return_rate_bp == 2500
    assert inputs.lines == (
        CandidateLine(tee.id, 1, "damaged", is_merchant_fault=True, photo_count=2),
        CandidateLine(socks.id, 1, "too_small", comment="itchy"),
    )


def test_the_customers_record_counts_orders_units_and_returns_that_were_not_refused(
    uow, store_id, order, earlier_order, clock
):
    cancelled = open_return(uow, store_id, earlier_order, clock, 0, 1, days_ago=20)
    use_cases.cancel_return(uow, store_id, cancelled.id, STAFF, clock.now())
    kept = open_return(uow, store_id, earlier_order, clock, 0, 2, days_ago=15)
    use_cases.approve_return(uow, store_id, kept.id, STAFF, clock.now())
    open_return(uow, store_id, order, clock, 0, 1, days_ago=1)

    with uow:
        inputs = gather_policy_inputs(
            uow, store_id, POLICY.policy, order.id, [LineAsk(order.lines[0].id, 1, "style")]
        )

    assert inputs.history == CustomerHistory(
        orders_count=2,
        items_bought=7,
        items_returned=3,
        returns=(
            PastReturn(clock.now() - timedelta(days=15)),
            PastReturn(clock.now() - timedelta(days=1)),
        ),
    )


def test_the_inputs_take_six_statements_and_five_once_the_store_rate_is_cached(
    uow, store_id, order, engine
):
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        if statement not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    asks = [LineAsk(order.lines[0].id, 1, "style")]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(2):
            with uow:
                gather_policy_inputs(uow, store_id, POLICY.policy, order.id, asks)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(statements) == 6 + 5


def test_the_built_in_policy_charges_what_the_store_settings_charge(uow, store_id, clock):
    update_money_settings(uow, store_id, {
        "restocking_fee_bp": 1250, "restocking_fee_fixed": 300, "return_shipping_fee": 495,
        "label_cost": 200, "store_credit_bonus_bp": 500, "store_credit_bonus_fixed": 100,
        "store_credit_bonus_cap": 2000, "waive_fees_for_store_credit": True,
        "waive_fees_for_exchange": False, "refund_original_shipping": True,
    })  # fmt: skip

    with uow:
        built_in = policy_in_force(uow, store_id)
        settings = uow.stores.fee_settings(store_id)

    fees = built_in.policy.fees
    assert built_in.version == 0
    assert built_in.policy.defaults.restocking.percent_bp == settings.restocking_fee_bp
    assert fees.restocking_per_return == settings.restocking_fee_fixed
    assert fees.return_shipping is not None
    assert fees.return_shipping.fixed == settings.return_shipping_fee + settings.label_cost
    assert fees.store_credit_bonus is not None
    assert (
        fees.store_credit_bonus.percent_bp,
        fees.store_credit_bonus.fixed,
        fees.store_credit_bonus.cap,
    ) == (500, 100, 2000)
    assert {resolution.value for resolution in fees.waived_for} == {"store_credit"}
    assert fees.refund_original_shipping is True
    assert built_in.policy.automation.default.value == "review"
    assert built_in.policy.defaults.window_days == 3650
