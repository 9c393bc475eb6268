"""The demo seeder on a real database: every status, real stock, idempotent and deterministic."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

import pytest
from sqlalchemy import func, select

from retour.db.engine import create_session_factory
from retour.db.models import (
    ApiKey,
    Event,
    InventoryMovement,
    OrderRow,
    ReturnLineRow,
    ReturnRow,
    StockLevel,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.demo.seed import (
    DEMO_OWNER_EMAIL,
    REFERENCE_TIME,
    demo_api_key,
    seed_demo_store,
)
from retour.domain.reasons import DEFAULT_RETURN_REASONS
from retour.domain.statuses import ReturnStatus
from retour.services import queries
from retour.services.stores import authenticate_api_key
from tests.conftest import empty_all_tables

#: Small enough for the suite, large enough that every return status still appears.
TEST_ORDERS = 150


@pytest.fixture(scope="module")
def demo(engine) -> UnitOfWork:
    """One seeded demo store shared by this module's tests (they only read it)."""
    empty_all_tables(engine)
    uow = UnitOfWork(create_session_factory(engine))
    assert seed_demo_store(uow, orders=TEST_ORDERS) is True
    return uow


def demo_store_id(uow: UnitOfWork) -> int:
    with uow:
        store = uow.stores.by_slug("demo")
        assert store is not None
        return store.id


def row_counts(uow: UnitOfWork) -> dict[str, int]:
    models = (OrderRow, ReturnRow, ReturnLineRow, Event, InventoryMovement, StockLevel, Variant)
    with uow:
        return {
            model.__tablename__: uow.session.scalars(select(func.count()).select_from(model)).one()
            for model in models
        }


def snapshot(uow: UnitOfWork) -> dict[str, Any]:
    """Everything that should come out the same on every run, ids left out."""
    with uow:
        session = uow.session
        orders = session.execute(
            select(OrderRow.number, OrderRow.placed_at, OrderRow.customer_email).order_by(
                OrderRow.number
            )
        ).all()
        returns = session.execute(
            select(ReturnRow.number, ReturnRow.status, ReturnRow.updated_at).order_by(
                ReturnRow.number
            )
        ).all()
        events = session.execute(
            select(Event.name, Event.actor, Event.occurred_at).order_by(Event.id)
        ).all()
    stock = [astuple(row) for row in queries.stock_levels(uow, demo_store_id(uow))]
    return {"orders": orders, "returns": returns, "events": events, "stock": stock}


def test_the_demo_store_is_maison_demo_with_its_owner(demo):
    with demo:
        store = demo.stores.by_slug("demo")
        assert store is not None
        assert (store.name, store.currency, store.timezone) == (
            "Maison Demo",
            "EUR",
            "Europe/Paris",
        )
        owner = demo.stores.staff_user(store.id, DEMO_OWNER_EMAIL)
    assert owner is not None
    assert owner.role == "owner"


def test_every_return_status_appears(demo):
    with demo:
        statuses = set(demo.session.scalars(select(ReturnRow.status).distinct()))
    assert statuses == {status.value for status in ReturnStatus}


def test_return_reasons_are_the_store_defaults(demo):
    with demo:
        reasons = set(demo.session.scalars(select(ReturnLineRow.reason_code).distinct()))
    assert reasons <= {reason.code for reason in DEFAULT_RETURN_REASONS}


def test_nothing_happens_after_the_reference_time(demo):
    with demo:
        latest_event = demo.session.scalars(select(func.max(Event.occurred_at))).one()
        latest_order = demo.session.scalars(select(func.max(OrderRow.placed_at))).one()
    assert latest_event < REFERENCE_TIME
    assert latest_order < REFERENCE_TIME


def test_payments_add_up_to_what_each_order_cost(demo):
    store_id = demo_store_id(demo)
    page = queries.list_orders(demo, store_id, cursor=None, limit=200)
    assert page.items
    for order in page.items:
        lines = sum(
            line.unit_price * line.quantity
            - line.line_discount
            - line.order_discount_allocated
            + line.tax
            for line in order.lines
        )
        total = lines + order.shipping_amount + order.shipping_tax
        assert sum(payment.amount for payment in order.payments) == total, order.number


def test_stock_levels_equal_the_sum_of_movements(demo):
    key = (InventoryMovement.variant_id, InventoryMovement.location_id, InventoryMovement.bucket)
    with demo:
        movements = demo.session.execute(
            select(*key, func.sum(InventoryMovement.quantity)).group_by(*key)
        ).all()
        levels = demo.session.execute(
            select(StockLevel.variant_id, StockLevel.location_id, StockLevel.bucket,
                   StockLevel.quantity)
        ).all()  # fmt: skip
    assert movements
    assert sorted(map(tuple, movements)) == sorted(map(tuple, levels))


def test_seeding_again_changes_nothing(demo):
    before = row_counts(demo)
    assert seed_demo_store(demo, orders=TEST_ORDERS) is False
    assert row_counts(demo) == before


def test_the_demo_api_key_authenticates_and_is_created_once(demo):
    key = demo_api_key(demo)
    assert demo_api_key(demo) == key
    principal = authenticate_api_key(demo, key)
    assert principal.store_id == demo_store_id(demo)
    with demo:
        assert demo.session.scalars(select(func.count()).select_from(ApiKey)).one() == 1


def test_two_seeds_produce_the_same_data(demo, engine):
    first = snapshot(demo)
    empty_all_tables(engine)
    assert seed_demo_store(demo, orders=TEST_ORDERS) is True
    assert snapshot(demo) == first
