"""Refund totals, costs and timings on the hand-computed dataset (report_dataset.py)."""

from __future__ import annotations

from datetime import date

import pytest

from retour.domain.reports.periods import Cohort
from retour.services.reports.money import (
    CurrencyCosts,
    RefundTotal,
    ReturnCosts,
    refund_totals,
    return_costs,
)
from retour.services.reports.timing import Duration, stage_times, time_to_refund
from tests.support.report_dataset import build_dataset

FEB_1, FEB_28 = date(2026, 2, 1), date(2026, 2, 28)


@pytest.fixture
def dataset(uow):
    return build_dataset(uow)


def test_refund_totals_per_status_method_and_currency(uow, dataset):
    # R1, R4 and (rejected, without refunds) R5.
    totals = refund_totals(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)

    assert totals == [
        RefundTotal("failed", "original_payment", "EUR", 1, 15700, 15700, 0, 300),
        RefundTotal("succeeded", "manual", "EUR", 1, 15700, 15700, 0, 300),
        RefundTotal("succeeded", "original_payment", "EUR", 1, 4500, 4500, 0, 400),
        RefundTotal("succeeded", "store_credit", "EUR", 1, 7500, 7000, 500, 0),
    ]


def test_refund_totals_keep_currencies_apart(uow, dataset):
    totals = refund_totals(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert [(t.status, t.method, t.currency, t.amount) for t in totals] == [
        ("succeeded", "original_payment", "EUR", 4500),
        ("succeeded", "original_payment", "USD", 4650),
        ("succeeded", "store_credit", "EUR", 7500),
    ]


def test_costs_count_issued_labels_fees_kept_and_handled_returns(uow, dataset):
    # Voided and failed labels cost nothing; the failed refund's fee was never collected.
    costs = return_costs(
        uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE, handling_cost=250
    )

    assert costs == ReturnCosts(
        per_currency=[CurrencyCosts("EUR", 2, 1300, 400 + 300)],
        handled_returns=2,
        handling_estimate=500,
        handling_currency="EUR",
    )


def test_costs_by_order_date_per_currency(uow, dataset):
    costs = return_costs(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert costs == ReturnCosts(
        per_currency=[CurrencyCosts("EUR", 1, 650, 400), CurrencyCosts("USD", 1, 800, 250)],
        handled_returns=1,
        handling_estimate=0,
        handling_currency="EUR",
    )


def test_time_to_refund_from_request_and_from_first_receipt(uow, dataset):
    # From the request: 144 h and 168 h (R1), 12 h (R4). From R1's first receipt: 24 h and
    # 48 h; R4's refund was paid before its parcel arrived, so it is left out.
    durations = time_to_refund(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)

    assert durations == [
        Duration("from_request", 3, 144.0, 168.0),
        Duration("from_receipt", 2, 24.0, 48.0),
    ]


def test_time_in_each_stage(uow, dataset):
    stages = stage_times(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)

    assert stages == [
        Duration("requested_to_approved", 2, 1.0, 2.0),
        Duration("approved_to_received", 2, 23.0, 118.0),
        Duration("received_to_inspected", 1, 6.0, 6.0),
        Duration("inspected_to_completed", 1, 42.0, 42.0),
        Duration("requested_to_completed", 1, 168.0, 168.0),
    ]


def test_an_empty_period_has_no_money_and_no_durations(uow, dataset):
    june = date(2025, 6, 1), date(2025, 6, 30)

    assert refund_totals(uow, dataset.store_id, *june, Cohort.RETURN_DATE) == []
    assert return_costs(uow, dataset.store_id, *june, Cohort.RETURN_DATE, 250) == ReturnCosts(
        [], 0, 0, "EUR"
    )
    assert time_to_refund(uow, dataset.store_id, *june, Cohort.RETURN_DATE) == [
        Duration("from_request", 0, None, None),
        Duration("from_receipt", 0, None, None),
    ]
