"""The return rate over time on the hand-computed dataset: each bucket's figures are exactly
what `return_rate` answers for the bucket's days, in both cohorts."""

from __future__ import annotations

from datetime import date

import pytest

from retour.domain.errors import InvalidRequest
from retour.domain.reports.periods import Cohort
from retour.services.reports.return_rate import return_rate
from retour.services.reports.series import RatePoint, return_rate_series
from tests.support.report_dataset import build_dataset


@pytest.fixture
def dataset(uow):
    return build_dataset(uow)


@pytest.mark.parametrize("cohort", list(Cohort))
@pytest.mark.parametrize(
    ("first", "last", "orders"),
    [(date(2026, 2, 1), date(2026, 3, 3), 4), (date(2026, 1, 1), date(2026, 3, 31), 5)],
    ids=["31 days", "90 days"],
)
def test_each_bucket_is_the_return_rate_of_its_days(uow, dataset, cohort, first, last, orders):
    series = return_rate_series(uow, dataset.store_id, first, last, cohort)

    for point in series:
        rate = return_rate(uow, dataset.store_id, point.first_day, point.last_day, cohort)
        assert (point.orders, point.returned_orders, point.order_rate) == (
            rate.orders, rate.returned_orders, rate.order_rate,
        )  # fmt: skip
        assert (point.units_sold, point.units_returned, point.unit_rate) == (
            rate.units_sold, rate.units_returned, rate.unit_rate,
        )  # fmt: skip
    assert sum(point.orders for point in series) == orders  # O5 is in January


def test_the_weeks_of_february_and_march_by_return_date(uow, dataset):
    series = return_rate_series(
        uow, dataset.store_id, date(2026, 2, 1), date(2026, 3, 7), Cohort.RETURN_DATE
    )

    assert series == [
        RatePoint(date(2026, 2, 1), date(2026, 2, 7), 1, 1, 1.0, 3, 2, 0.6667),  # O1; R1
        RatePoint(date(2026, 2, 8), date(2026, 2, 14), 1, 0, 0.0, 1, 0, 0.0),  # O2
        RatePoint(date(2026, 2, 15), date(2026, 2, 21), 0, 1, None, 0, 2, None),  # R4
        RatePoint(date(2026, 2, 22), date(2026, 2, 28), 1, 0, 0.0, 1, 0, 0.0),  # O3
        # O4 (March 1st in Paris); R2 and R3 on the 1st, R6 on the 2nd: three orders.
        RatePoint(date(2026, 3, 1), date(2026, 3, 7), 1, 3, 3.0, 3, 5, 1.6667),
    ]


def test_a_period_running_backwards_is_refused(uow, dataset):
    with pytest.raises(InvalidRequest) as refused:
        return_rate_series(
            uow, dataset.store_id, date(2026, 2, 2), date(2026, 2, 1), Cohort.ORDER_DATE
        )

    assert refused.value.field == "to"
