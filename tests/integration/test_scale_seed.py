"""The scale store (`retour seed demo --orders N`) on a real database: deterministic counts, a
quarter of the orders returned, a holiday peak, category rates in their published ranges, status
tallies that match the returns, and the command's summary and refusal."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from retour.cli import app
from retour.db.models import (
    Event,
    InspectionRow,
    OrderLineRow,
    OrderRow,
    RefundRow,
    ReturnLineRow,
    ReturnRow,
    ReturnStatusTally,
    ShipmentRow,
)
from retour.demo.scale import RANDOM_SEED, seed_scale_store
from retour.demo.scale_catalog import CATEGORIES, VariantPicker, catalog, day_weights
from retour.demo.scale_rows import COLUMNS, Offsets, OrderMaker, Rows
from retour.settings import get_settings

ORDERS = 2000
#: What 2,000 orders always give (the RNG is seeded; nothing depends on the database's ids).
EXPECTED = {
    "orders": 2000, "order_lines": 3609, "returns": 497, "return_lines": 561, "events": 1582,
    "shipments": 342, "inspections": 260, "refunds": 229,
}  # fmt: skip
EXPECTED_STATUSES = {"completed": 229, "received": 56, "approved": 57, "requested": 59,
                     "rejected": 47, "cancelled": 49}  # fmt: skip
runner = CliRunner()


@pytest.fixture
def scale_store(engine, session_factory):
    return seed_scale_store(engine, ORDERS)


def _count(engine, model, store_id):
    with engine.connect() as connection:
        query = select(func.count()).select_from(model).where(model.store_id == store_id)
        return connection.scalar(query)


def test_the_same_orders_give_the_same_rows_every_time(engine, scale_store):
    store_id = scale_store.store_id
    models = {"orders": OrderRow, "order_lines": OrderLineRow, "returns": ReturnRow,
              "return_lines": ReturnLineRow, "events": Event, "shipments": ShipmentRow,
              "inspections": InspectionRow, "refunds": RefundRow}  # fmt: skip

    counted = {name: _count(engine, model, store_id) for name, model in models.items()}

    assert counted == EXPECTED
    assert (scale_store.orders, scale_store.order_lines, scale_store.returns,
            scale_store.return_lines) == (2000, 3609, 497, 561)  # fmt: skip
    with engine.connect() as connection:
        statuses = dict(
            connection.execute(
                select(ReturnRow.status, func.count()).group_by(ReturnRow.status)
            ).all()
        )
    assert statuses == EXPECTED_STATUSES


def test_a_second_store_gets_the_same_story_under_new_ids(engine, scale_store):
    second = seed_scale_store(engine, ORDERS, slug="scale-two", name="Scale two")

    assert (second.orders, second.order_lines, second.returns, second.return_lines) == (
        2000, 3609, 497, 561,
    )  # fmt: skip
    assert _count(engine, OrderRow, second.store_id) == 2000
    assert _count(engine, ReturnLineRow, second.store_id) == 561
    with engine.connect() as connection:
        first_ids = connection.scalar(
            select(func.max(OrderRow.id)).where(OrderRow.store_id == scale_store.store_id)
        )
        second_ids = connection.scalar(
            select(func.min(OrderRow.id)).where(OrderRow.store_id == second.store_id)
        )
    assert second_ids == first_ids + 1


def test_about_a_quarter_of_the_orders_have_a_return(scale_store):
    share = scale_store.returns / scale_store.orders

    assert 0.22 <= share <= 0.28  # 24.9 % here; "a quarter" within 3 points


def test_the_holidays_sell_more_than_the_summer(engine, scale_store):
    with engine.connect() as connection:
        placed = connection.scalars(select(OrderRow.placed_at)).all()
    by_month = Counter(moment.month for moment in placed)

    # Per day: November and December (61 days) against June, July and August (92 days).
    holiday_per_day = (by_month[11] + by_month[12]) / 61
    summer_per_day = (by_month[6] + by_month[7] + by_month[8]) / 92
    assert holiday_per_day > 1.3 * summer_per_day
    assert sum(by_month.values()) == ORDERS


def test_the_status_tallies_equal_a_count_per_status(engine, scale_store):
    store_id = scale_store.store_id
    with engine.connect() as connection:
        counted = dict(
            connection.execute(
                select(ReturnRow.status, func.count())
                .where(ReturnRow.store_id == store_id)
                .group_by(ReturnRow.status)
            ).all()
        )
        tallied = dict(
            connection.execute(
                select(ReturnStatusTally.status, func.sum(ReturnStatusTally.change))
                .where(ReturnStatusTally.store_id == store_id)
                .group_by(ReturnStatusTally.status)
            ).all()
        )

    assert {status: int(total) for status, total in tallied.items()} == counted
    assert sum(counted.values()) == 497


def test_each_category_returns_within_its_published_range():
    # Given 50,000 orders made in memory (enough lines per category for a stable rate)
    maker = OrderMaker(
        store_id=1, location_id=1, offsets=Offsets(), variants=VariantPicker(catalog()),
        days=day_weights(), customers=12_600, rng=random.Random(RANDOM_SEED),
    )  # fmt: skip
    rows: Rows = {table: [] for table in COLUMNS}
    for _ in range(50_000):
        maker.order(rows)

    # Then each category's lines come back at a rate inside its range
    category_of = {variant.index: variant.category.name for variant in catalog()}
    sold, returned = Counter[str](), Counter[str]()
    for line in rows["order_lines"]:
        sold[category_of[line[4]]] += 1
    for line in rows["return_lines"]:
        returned[category_of[line[4]]] += 1
    rates = {name: returned[name] / sold[name] for name in sold}
    ranges = {category.name: (category.low, category.high) for category in CATEGORIES}
    outside = {name: rate for name, rate in rates.items() if not (
        ranges[name][0] <= rate <= ranges[name][1])}  # fmt: skip
    assert outside == {}
    assert set(rates) == set(ranges)


def test_reasons_follow_the_category(engine, scale_store):
    with engine.connect() as connection:
        reasons = connection.execute(
            select(OrderLineRow.sku, ReturnLineRow.reason_code).join(
                OrderLineRow, OrderLineRow.id == ReturnLineRow.order_line_id
            )
        ).all()
    category_of = {f"SKU-{variant.index}": variant.category for variant in catalog()}
    given: defaultdict[str, set[str]] = defaultdict(set)
    for sku, reason in reasons:
        assert reason in category_of[sku].reasons
        given[category_of[sku].name].add(reason)
    assert "too_small" in given["Apparel"]
    assert "too_small" not in given["Electronics"]


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_seeds_and_prints_its_summary(engine, cli_env):
    result = runner.invoke(app, ["seed", "demo", "--orders", "2000"])

    assert result.exit_code == 0, result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(
        "store 'scale': 2000 orders, 3609 order lines, 497 returns, 561 return lines in "
    )
    assert summary.endswith(" s")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OrderRow)) == 2000


def test_the_command_refuses_a_store_that_exists_and_changes_nothing(engine, cli_env):
    first = runner.invoke(app, ["seed", "demo", "--orders", "300"])
    assert first.exit_code == 0, first.output

    result = runner.invoke(app, ["seed", "demo", "--orders", "2000"])

    assert result.exit_code == 1
    assert "store 'scale' already exists (300 orders); nothing changed" in result.output
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OrderRow)) == 300
