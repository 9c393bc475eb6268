"""Dispositions, repeat returners, policy decisions and risk on the hand-computed dataset."""

from __future__ import annotations

from datetime import date

import pytest

from retour.domain.reports.periods import Cohort
from retour.services.reports.decisions import (
    DecisionCount,
    RiskBand,
    policy_decisions,
    risk_distribution,
)
from retour.services.reports.outcomes import (
    Dispositions,
    DispositionTotal,
    RepeatReturners,
    RepeatReturnerValue,
    dispositions,
    repeat_returners,
)
from tests.support.report_dataset import build_dataset

FEB_1, FEB_28 = date(2026, 2, 1), date(2026, 2, 28)


@pytest.fixture
def dataset(uow):
    return build_dataset(uow)


def test_dispositions_and_value_recovered_by_restocking(uow, dataset):
    # Restocked: a LINEN-M of O1 (49.00) and a CHINO-32 of O5 (80.00); the rejected unit
    # does not count.
    found = dispositions(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)

    assert found == Dispositions(
        totals=[
            DispositionTotal("dispose", "EUR", 1, 7000),
            DispositionTotal("restock", "EUR", 2, 4900 + 8000),
        ],
        recovered_by_restocking={"EUR": 12900},
    )


def test_repeat_returners_by_order_date(uow, dataset):
    # Customer a has R1 and R2; b has R3 (USD); c's only return was rejected.
    found = repeat_returners(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert found == RepeatReturners(
        customers=2,
        repeat_customers=1,
        share_of_customers=0.5,
        value=[
            RepeatReturnerValue("EUR", 16800, 16800, 1.0),
            RepeatReturnerValue("USD", 4900, 0, 0.0),
        ],
    )


def test_no_repeat_returners_by_return_date(uow, dataset):
    found = repeat_returners(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)

    assert found == RepeatReturners(2, 0, 0.0, [RepeatReturnerValue("EUR", 27900, 0, 0.0)])


def test_policy_decisions_with_overrides_and_where_returns_are_now(uow, dataset):
    by_return = policy_decisions(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)
    by_order = policy_decisions(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert by_return == [
        DecisionCount("approve", False, "completed", 1),
        DecisionCount("reject", False, "rejected", 1),
        DecisionCount("review", True, "received", 1),
    ]
    assert by_order == [
        DecisionCount("approve", False, "completed", 1),
        DecisionCount("none", False, "approved", 1),
        DecisionCount("reject", False, "rejected", 1),
        DecisionCount("review", False, "requested", 1),
    ]


def test_risk_distribution_in_bands_of_ten(uow, dataset):
    by_return = risk_distribution(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)
    by_order = risk_distribution(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert by_return == [RiskBand(10, 19, 1), RiskBand(80, 89, 1), RiskBand(90, 100, 1)]
    assert by_order == [
        RiskBand(None, None, 1),
        RiskBand(10, 19, 1),
        RiskBand(50, 59, 1),
        RiskBand(80, 89, 1),
    ]


def test_empty_period(uow, dataset):
    june = date(2025, 6, 1), date(2025, 6, 30)

    assert dispositions(uow, dataset.store_id, *june, Cohort.ORDER_DATE) == Dispositions([], {})
    assert repeat_returners(uow, dataset.store_id, *june, Cohort.ORDER_DATE) == RepeatReturners(
        0, 0, None, []
    )
    assert policy_decisions(uow, dataset.store_id, *june, Cohort.ORDER_DATE) == []
    assert risk_distribution(uow, dataset.store_id, *june, Cohort.ORDER_DATE) == []
