"""Anomaly alerts and the return-lines CSV export against a real database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from retour.domain.reports.anomalies import Anomaly
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import poisson_upper_tail
from retour.services.reports import export
from retour.services.reports.anomalies import find_return_anomalies
from retour.services.reports.export import COLUMNS, return_lines_csv
from tests.support.report_dataset import build_dataset
from tests.support.report_rows import Asked, Item, ReportRows

JUNE_1, JUNE_30 = date(2026, 6, 1), date(2026, 6, 30)
BASELINE_DAY = datetime(2026, 4, 15, 10, tzinfo=UTC)
JUNE_DAY = datetime(2026, 6, 10, 10, tzinfo=UTC)


def returns_of(rows, sku_order, count, reason, at):
    for index in range(count):
        rows.return_(sku_order, at + timedelta(minutes=index), [Asked(0, 1, reason)])


@pytest.fixture
def shop(uow):
    """LINEN-M sold 300 in the baseline and 100 in June; LINEN-L and CHINO-32 likewise."""
    rows = ReportRows.for_store(uow, datetime(2026, 1, 1, tzinfo=UTC))
    sales = {}
    for sku in ("LINEN-M", "LINEN-L", "CHINO-32"):
        sales[sku] = (
            rows.order(BASELINE_DAY, [Item(sku, 300, 4900)]),
            rows.order(JUNE_DAY, [Item(sku, 100, 4900)]),
        )
    return rows, sales


def test_a_sku_coming_back_for_one_reason_far_above_its_baseline_is_flagged(uow, shop):
    rows, sales = shop
    before, june = sales["LINEN-M"]
    returns_of(rows, before, 6, "too_small", BASELINE_DAY)
    returns_of(rows, june, 12, "too_small", JUNE_DAY)
    # Twice LINEN-L's rate, but few enough for chance: P(X ≥ 6 | 3) ≈ 0.08.
    returns_of(rows, sales["LINEN-L"][0], 9, "too_large", BASELINE_DAY)
    returns_of(rows, sales["LINEN-L"][1], 6, "too_large", JUNE_DAY)
    # Never seen before, but only four.
    returns_of(rows, sales["CHINO-32"][1], 4, "defective", JUNE_DAY)
    # Returns before the baseline window are not part of it.
    returns_of(rows, before, 30, "too_small", datetime(2026, 2, 1, tzinfo=UTC))

    report = find_return_anomalies(uow, rows.store_id, JUNE_1, JUNE_30)

    assert (report.baseline_from, report.baseline_to) == (date(2026, 3, 3), date(2026, 5, 31))
    assert report.anomalies == [
        Anomaly(
            "LINEN-M",
            "LINEN-M title",
            "too_small",
            12,
            2.0,
            6.0,
            poisson_upper_tail(12, 2.0),
            6,
        )
    ]


def test_a_quiet_period_has_no_anomalies(uow, shop):
    rows, sales = shop
    returns_of(rows, sales["LINEN-M"][0], 6, "too_small", BASELINE_DAY)
    returns_of(rows, sales["LINEN-M"][1], 2, "too_small", JUNE_DAY)

    assert find_return_anomalies(uow, rows.store_id, JUNE_1, JUNE_30).anomalies == []


def test_the_csv_has_one_row_per_return_line_in_local_time(uow):
    dataset = build_dataset(uow)

    text = "".join(
        return_lines_csv(
            uow, dataset.store_id, date(2026, 2, 1), date(2026, 2, 28), Cohort.ORDER_DATE
        )
    )

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(COLUMNS)
    numbers = {row[0] for row in rows[1:]}
    assert len(rows) == 1 + 5
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first == {
        "return_number": first["return_number"],
        "status": "completed",
        "requested_at": "2026-02-05T11:00:00+01:00",
        "order_number": first["order_number"],
        "order_placed_at": "2026-02-01T00:30:00+01:00",
        "customer_email": "a@x.test",
        "sku": "LINEN-M",
        "title": "LINEN-M title",
        "reason_code": "too_small",
        "resolution": "refund",
        "requested_quantity": "1",
        "approved_quantity": "0",
        "received_quantity": "0",
        "currency": "EUR",
        "value": "4900",
    }
    # R1 (two lines), R2, R3 and the rejected R5: the export lists every return of the cohort.
    assert len(numbers) == 4
    assert [row[13] for row in rows[1:]] == ["EUR", "EUR", "EUR", "USD", "EUR"]


def test_the_csv_comes_in_chunks_of_rows(uow, monkeypatch):
    dataset = build_dataset(uow)
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)

    chunks = list(
        return_lines_csv(
            uow, dataset.store_id, date(2026, 2, 1), date(2026, 2, 28), Cohort.ORDER_DATE
        )
    )

    assert [chunk.count("\n") for chunk in chunks] == [1 + 2, 2, 1, 0]
