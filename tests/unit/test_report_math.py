"""The pure arithmetic of the reports: periods in a timezone, ranks, rates, the anomaly test."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from retour.domain.errors import InvalidRequest
from retour.domain.reports.anomalies import (
    Anomaly,
    AnomalyRules,
    SkuReasonHistory,
    expected_returns,
    find_anomalies,
    judge,
)
from retour.domain.reports.periods import Period, make_period
from retour.domain.reports.statistics import nearest_rank, poisson_upper_tail, ratio


def test_a_period_runs_from_local_midnight_to_local_midnight_in_utc():
    february = make_period(date(2026, 2, 1), date(2026, 2, 28), "Europe/Paris")

    assert february.start == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert february.end == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert february.days == 28


def test_the_day_clocks_go_forward_is_23_hours_long():
    day = make_period(date(2026, 3, 29), date(2026, 3, 29), "Europe/Paris")

    assert day.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_the_preceding_days_end_the_day_before():
    baseline = Period(date(2026, 6, 1), date(2026, 6, 30), "UTC").preceding(90)

    assert (baseline.first_day, baseline.last_day, baseline.days) == (
        date(2026, 3, 3),
        date(2026, 5, 31),
        90,
    )


def test_a_period_of_367_days_is_refused_and_one_of_366_is_not():
    assert make_period(date(2026, 1, 1), date(2027, 1, 1), "UTC").days == 366
    with pytest.raises(InvalidRequest) as refused:
        make_period(date(2026, 1, 1), date(2027, 1, 2), "UTC")

    assert refused.value.detail == "a report covers at most 366 days"


@pytest.mark.parametrize(
    ("count", "percent", "rank"),
    [(1, 50, 1), (1, 90, 1), (2, 50, 1), (2, 90, 2), (3, 50, 2), (10, 50, 5), (10, 90, 9),
     (11, 90, 10), (100, 90, 90)],
)  # fmt: skip
def test_nearest_rank(count, percent, rank):
    assert nearest_rank(count, percent) == rank


def test_ratio_rounds_to_four_decimals_and_has_none_for_nothing():
    assert (ratio(2, 3), ratio(0, 5), ratio(1, 0)) == (0.6667, 0.0, None)


def test_poisson_upper_tail_for_small_counts():
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(1, 2.0) == pytest.approx(1 - math.exp(-2), rel=1e-12)
    assert poisson_upper_tail(3, 1.0) == pytest.approx(1 - 2.5 * math.exp(-1), rel=1e-12)


def test_poisson_upper_tail_far_in_the_tail_keeps_its_digits():
    # P(X ≥ 30) for a mean of 5, summed term by term: about 4.3e-12, which 1 − P(X < 30)
    # would round to nothing.
    terms = [math.exp(-5 + k * math.log(5) - math.lgamma(k + 1)) for k in range(30, 200)]

    assert poisson_upper_tail(30, 5.0) == pytest.approx(math.fsum(terms), rel=1e-9)


def history(**changes):
    base = dict(
        sku="LINEN-M", title="Linen shirt M", reason_code="too_small", returns=20, sold=100,
        baseline_returns=6, baseline_sold=300, days=30, baseline_days=90,
    )  # fmt: skip
    return SkuReasonHistory(**{**base, **changes})


def test_the_baseline_rate_per_unit_sold_predicts_the_period():
    # 6 returns per 300 sold, and 100 sold: 2 expected.
    assert expected_returns(history()) == 2.0


def test_without_sales_in_a_window_the_baseline_is_per_day():
    assert expected_returns(history(sold=0)) == 2.0
    assert expected_returns(history(baseline_sold=0, baseline_returns=9)) == 3.0


def test_a_reason_never_seen_before_counts_as_half_a_return():
    assert expected_returns(history(baseline_returns=0)) == pytest.approx(0.5 / 3)


def test_twenty_returns_where_two_were_expected_is_an_anomaly():
    found = judge(history(), AnomalyRules())

    assert found == Anomaly(
        "LINEN-M", "Linen shirt M", "too_small", 20, 2.0, 10.0,
        poisson_upper_tail(20, 2.0), 6,
    )  # fmt: skip
    assert found.p_value < 1e-10


def test_small_counts_never_alarm_however_high_the_ratio():
    assert judge(history(returns=4, baseline_returns=0), AnomalyRules()) is None


def test_a_high_ratio_that_chance_explains_is_not_an_anomaly():
    # 6 where 3 were expected: twice the rate, but P(X ≥ 6) ≈ 0.08.
    assert judge(history(returns=6, baseline_returns=9), AnomalyRules()) is None


def test_a_significant_rise_below_the_ratio_is_not_an_anomaly():
    # 150 where 100 were expected is very unlikely by chance, but only 1.5 times the rate.
    assert judge(history(returns=150, baseline_returns=300), AnomalyRules()) is None


def test_anomalies_come_strongest_first():
    weaker = history(sku="LINEN-L", returns=10)
    stronger = history(sku="LINEN-S", returns=30)

    found = find_anomalies([weaker, history(returns=1), stronger], AnomalyRules())

    assert [anomaly.sku for anomaly in found] == ["LINEN-S", "LINEN-L"]
