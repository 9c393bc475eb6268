"""The database keeps the reports' rollups (triggers of migration 0012): what each store sold
per day of its calendar, and a fact row per return line. Every way the rows are written keeps
them equal to what the orders and returns add up to, and folding keeps the sums."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from retour.db.models import (
    FulfilmentLine,
    OrderLineRow,
    OrderRow,
    ReturnLineFact,
    ReturnLineRow,
    ReturnRow,
    SalesDayTally,
    Store,
)
from retour.demo.scale import seed_scale_store
from retour.domain.reports.periods import make_period
from retour.services import returns as use_cases
from retour.services.reports import rollups
from retour.services.reports.rollups import fold_sales, sold_per_currency
from tests.factories import STAFF, import_sample_order, make_store
from tests.integration.test_lifecycle import request

Key = tuple[date, str, str]


def tallied(uow, store_id: int) -> dict[Key, tuple[int, int, int]]:
    """The sales tallies' sums per day, currency and SKU (sums of zero left out)."""
    with uow:
        rows = uow.session.execute(
            select(
                SalesDayTally.day,
                SalesDayTally.currency,
                SalesDayTally.sku,
                func.sum(SalesDayTally.orders),
                func.sum(SalesDayTally.units),
                func.sum(SalesDayTally.value),
            )
            .where(SalesDayTally.store_id == store_id)
            .group_by(SalesDayTally.day, SalesDayTally.currency, SalesDayTally.sku)
        ).all()
    return {
        (day, currency, sku): (int(orders), int(units), int(value))
        for day, currency, sku, orders, units, value in rows
        if orders or units or value
    }


def summed_by_hand(uow, store_id: int) -> dict[Key, tuple[int, int, int]]:
    """The same, from the orders and their lines, in Python."""
    sums: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    with uow:
        zone = ZoneInfo(uow.session.get(Store, store_id).timezone)
        for order in uow.session.scalars(select(OrderRow).where(OrderRow.store_id == store_id)):
            day = order.placed_at.astimezone(zone).date()
            sums[(day, order.currency, "")][0] += 1
            for line in order.lines:
                net = line.unit_price * line.quantity - line.line_discount
                net -= line.order_discount_allocated
                sums[(day, order.currency, line.sku)][1] += line.quantity
                sums[(day, order.currency, line.sku)][2] += net if line.quantity else 0
    return {key: (o, u, v) for key, (o, u, v) in sums.items() if o or u or v}


def facts(uow) -> list[tuple]:
    with uow:
        return [
            (
                fact.return_line_id,
                fact.store_id,
                fact.return_id,
                fact.order_id,
                fact.order_line_id,
                fact.requested_at,
                fact.order_placed_at,
                fact.status,
                fact.currency,
                fact.reason_code,
                fact.sku,
                fact.resolution,
                fact.units,
                fact.value,
            )
            for fact in uow.session.scalars(
                select(ReturnLineFact).order_by(ReturnLineFact.return_line_id)
            )
        ]


def facts_by_hand(uow) -> list[tuple]:
    found = []
    with uow:
        for line in uow.session.scalars(select(ReturnLineRow).order_by(ReturnLineRow.id)):
            ret = uow.session.get(ReturnRow, line.return_id)
            order = uow.session.get(OrderRow, ret.order_id)
            sold = uow.session.get(OrderLineRow, line.order_line_id)
            value = None
            if sold is not None and sold.quantity:
                net = sold.unit_price * sold.quantity - sold.line_discount
                value = line.requested_quantity * (net - sold.order_discount_allocated)
                value //= sold.quantity
            found.append(
                (
                    line.id,
                    ret.store_id,
                    ret.id,
                    ret.order_id,
                    line.order_line_id,
                    ret.created_at,
                    order.placed_at,
                    ret.status,
                    ret.currency,
                    line.reason_code,
                    line.sku,
                    line.resolution,
                    line.requested_quantity,
                    value,
                )
            )
    return found


def test_imported_orders_and_requested_returns_are_rolled_up(uow, clock):
    store_id = make_store(uow, clock)
    other = make_store(uow, clock, slug="other")
    order = import_sample_order(uow, store_id, clock).order
    import_sample_order(uow, other, clock, quantities=(1,))
    placed = (clock.now() - timedelta(days=10)).date()
    # Two linen shirts M and one L at 49.00 each, no discount.
    assert tallied(uow, store_id) == {
        (placed, "EUR", ""): (1, 0, 0),
        (placed, "EUR", "LINEN-M"): (0, 2, 9800),
        (placed, "EUR", "LINEN-L"): (0, 1, 4900),
    }
    assert tallied(uow, other) == {
        (placed, "EUR", ""): (1, 0, 0),
        (placed, "EUR", "LINEN-M"): (0, 1, 4900),
    }

    made = request(uow, store_id, order, clock, quantities=(1, 1))
    assert [(f[10], f[7], f[12], f[13]) for f in facts(uow)] == [
        ("LINEN-M", "requested", 1, 4900),
        ("LINEN-L", "requested", 1, 4900),
    ]
    use_cases.reject_return(uow, store_id, made.id, STAFF, clock.now(), "worn")
    assert [fact[7] for fact in facts(uow)] == ["rejected", "rejected"]
    assert facts(uow) == facts_by_hand(uow)


def test_writes_outside_the_services_are_rolled_up_too(uow, clock):
    """Raw updates and deletes, as a migration or an operator might write them."""
    store_id = make_store(uow, clock)
    first = import_sample_order(uow, store_id, clock).order
    second = import_sample_order(uow, store_id, clock, platform_id="1002").order
    made = request(uow, store_id, first, clock, quantities=(2, 1))
    moved_to = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    with uow:
        session = uow.session
        session.execute(  # a price corrected, and a discount given
            update(OrderLineRow)
            .where(OrderLineRow.id == first.lines[0].id)
            .values(unit_price=5100, line_discount=300)
        )
        session.execute(update(OrderRow).where(OrderRow.id == first.id).values(placed_at=moved_to))
        session.execute(
            update(ReturnLineRow)
            .where(ReturnLineRow.id == made.lines[1].id)
            .values(requested_quantity=0, reason_code="damaged", resolution="store_credit")
        )
        session.execute(update(ReturnRow).where(ReturnRow.id == made.id).values(status="expired"))
        shipped = select(FulfilmentLine.id).where(
            FulfilmentLine.order_line_id == second.lines[1].id
        )
        session.execute(delete(FulfilmentLine).where(FulfilmentLine.id.in_(shipped)))
        session.execute(delete(OrderLineRow).where(OrderLineRow.id == second.lines[1].id))
        uow.commit()
    assert tallied(uow, store_id) == summed_by_hand(uow, store_id)
    assert tallied(uow, store_id)[(date(2026, 1, 5), "EUR", "LINEN-M")] == (0, 2, 9900)
    assert facts(uow) == facts_by_hand(uow)
    assert [(f[6], f[7], f[9], f[12], f[13]) for f in facts(uow)] == [
        (moved_to, "expired", "too_small", 2, 9900),
        (moved_to, "expired", "damaged", 0, 0),
    ]

    with uow:  # the return and then the second order go, lines first
        uow.session.execute(delete(ReturnLineRow).where(ReturnLineRow.return_id == made.id))
        lines = select(OrderLineRow.id).where(OrderLineRow.order_id == second.id)
        uow.session.execute(delete(FulfilmentLine).where(FulfilmentLine.order_line_id.in_(lines)))
        uow.session.execute(delete(OrderLineRow).where(OrderLineRow.order_id == second.id))
        uow.commit()
    assert facts(uow) == []
    assert tallied(uow, store_id) == summed_by_hand(uow, store_id)


def test_a_new_timezone_moves_the_orders_to_the_days_of_its_calendar(uow, clock):
    store_id = make_store(uow, clock)
    # 10 days before 2 March 09:30 UTC is 20 February; at 23:30 UTC, Tokyo is on the 21st.
    order = import_sample_order(uow, store_id, clock).order
    with uow:
        uow.session.execute(
            update(OrderRow)
            .where(OrderRow.id == order.id)
            .values(placed_at=datetime(2026, 2, 20, 23, 30, tzinfo=UTC))
        )
        uow.commit()
    assert {day for day, _currency, _sku in tallied(uow, store_id)} == {date(2026, 2, 20)}
    with uow:
        uow.session.execute(update(Store).where(Store.id == store_id).values(timezone="Asia/Tokyo"))
        uow.commit()
    assert {day for day, _currency, _sku in tallied(uow, store_id)} == {date(2026, 2, 21)}
    assert tallied(uow, store_id) == summed_by_hand(uow, store_id)


def test_folding_keeps_the_sums_in_one_row_per_day_currency_and_sku(uow, clock, monkeypatch):
    store_id = make_store(uow, clock)
    for number in range(3):
        import_sample_order(uow, store_id, clock, platform_id=f"10{number}")
    with uow:
        rows = uow.session.scalar(select(func.count()).select_from(SalesDayTally))
    assert rows == 9  # per order: its own row and one per SKU of its lines
    before = tallied(uow, store_id)
    placed = (clock.now() - timedelta(days=10)).date()
    period = make_period(placed, placed, "UTC")

    monkeypatch.setattr(rollups, "FOLD_AFTER", 1)
    with uow:  # a report only reads: the fold commits on its own
        assert sold_per_currency(uow, store_id, period)["EUR"].orders == 3
    with uow:
        folded = uow.session.execute(
            select(SalesDayTally.sku, SalesDayTally.orders, SalesDayTally.units)
            .where(SalesDayTally.folded.is_(True))
            .order_by(SalesDayTally.sku)
        ).all()
        assert sold_per_currency(uow, store_id, period) == {
            "EUR": rollups.Sold(orders=3, units=9, value=44100)
        }
    assert folded == [("", 3, 0), ("LINEN-L", 0, 3), ("LINEN-M", 0, 6)]
    assert tallied(uow, store_id) == before

    with uow:  # folding again with nothing new changes nothing
        fold_sales(uow, store_id, placed, placed)
        uow.commit()
        assert uow.session.scalar(select(func.count()).select_from(SalesDayTally)) == 3
    assert tallied(uow, store_id) == before


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Kolkata"])
def test_sales_of_a_period_are_the_orders_placed_in_its_days(uow, clock, timezone):
    store_id = make_store(uow, clock)
    with uow:
        uow.session.execute(update(Store).where(Store.id == store_id).values(timezone=timezone))
        uow.commit()
    order = import_sample_order(uow, store_id, clock).order
    local = order.placed_at.astimezone(ZoneInfo(timezone)).date()
    with uow:
        assert sold_per_currency(uow, store_id, make_period(local, local, timezone)) == {
            "EUR": rollups.Sold(orders=1, units=3, value=14700)
        }
        after = make_period(local + timedelta(days=1), local + timedelta(days=1), timezone)
        assert sold_per_currency(uow, store_id, after) == {}


def test_the_scale_seed_leaves_rollups_equal_to_its_rows(engine, uow):
    """PostgreSQL defers the rollups while it loads and rebuilds them at the end; SQLite's
    triggers write them row by row and the load folds them."""
    loaded = seed_scale_store(engine, 300, None, slug="bench", name="Bench")
    assert tallied(uow, loaded.store_id) == summed_by_hand(uow, loaded.store_id)
    assert facts(uow) == facts_by_hand(uow)
    assert len(facts(uow)) == loaded.return_lines
    with uow:
        unfolded = uow.session.scalar(
            select(func.count()).select_from(SalesDayTally).where(SalesDayTally.folded.is_(False))
        )
    assert unfolded == 0
