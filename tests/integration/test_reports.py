"""Return rates and breakdowns on the hand-computed dataset (tests/support/report_dataset.py),
in both cohorts, with the store's timezone deciding which day a moment falls on."""

from __future__ import annotations

from datetime import date

import pytest

from retour.domain.errors import InvalidRequest
from retour.domain.reports.periods import Cohort
from retour.services.reports.breakdowns import (
    Grouping,
    ReasonCount,
    ResolutionTotal,
    RetainedRevenue,
    reasons_breakdown,
    resolution_mix,
)
from retour.services.reports.return_rate import CurrencyValue, return_rate
from tests.support.report_dataset import build_dataset

FEB_1, FEB_28 = date(2026, 2, 1), date(2026, 2, 28)


@pytest.fixture
def dataset(uow):
    return build_dataset(uow)


def test_return_rate_by_return_date_counts_returns_asked_for_in_february(uow, dataset):
    # R1 and R4 (R5 rejected; R3 is asked for at 00:10 on March 1st in Paris).
    rate = return_rate(uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE)

    assert (rate.orders, rate.returned_orders, rate.order_rate) == (3, 2, 0.6667)
    assert (rate.units_sold, rate.units_returned, rate.unit_rate) == (5, 4, 0.8)
    assert rate.value == [
        CurrencyValue("EUR", 21700, 4900 + 7000 + 16000, 1.2857),
        CurrencyValue("USD", 4900, 0, 0.0),
    ]
    assert rate.timezone == "Europe/Paris"


def test_return_rate_by_order_date_counts_returns_of_orders_placed_in_february(uow, dataset):
    # O1 (00:30 on Feb 1st in Paris), O2 and O3 (23:30 on Feb 28th): R1, R2, R3.
    rate = return_rate(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert (rate.orders, rate.returned_orders, rate.order_rate) == (3, 3, 1.0)
    assert (rate.units_sold, rate.units_returned, rate.unit_rate) == (5, 4, 0.8)
    assert rate.value == [
        CurrencyValue("EUR", 21700, 4900 + 7000 + 4900, 0.7742),
        CurrencyValue("USD", 4900, 4900, 1.0),
    ]


def test_the_day_boundaries_are_the_store_timezones(uow, dataset):
    # O4, placed 23:30 UTC on Feb 28th, is on March 1st in Paris.
    march_first = date(2026, 3, 1)

    rate = return_rate(uow, dataset.store_id, march_first, march_first, Cohort.ORDER_DATE)

    assert (rate.orders, rate.units_sold, rate.returned_orders, rate.units_returned) == (1, 3, 1, 3)
    # R3 (23:10 UTC on Feb 28th) and R2 are asked for on March 1st in Paris.
    by_return = return_rate(uow, dataset.store_id, march_first, march_first, Cohort.RETURN_DATE)
    assert (by_return.returned_orders, by_return.units_returned) == (2, 2)
    assert by_return.value == [
        CurrencyValue("EUR", 14700, 4900, 0.3333),
        CurrencyValue("USD", 0, 4900, None),
    ]


def test_an_empty_period_has_no_rates(uow, dataset):
    rate = return_rate(
        uow, dataset.store_id, date(2025, 6, 1), date(2025, 6, 30), Cohort.ORDER_DATE
    )

    assert (rate.orders, rate.returned_orders, rate.order_rate) == (0, 0, None)
    assert (rate.units_sold, rate.units_returned, rate.unit_rate) == (0, 0, None)
    assert rate.value == []


def test_a_period_running_backwards_is_refused(uow, dataset):
    with pytest.raises(InvalidRequest) as refused:
        return_rate(uow, dataset.store_id, FEB_28, FEB_1, Cohort.ORDER_DATE)

    assert refused.value.field == "to"


def test_reasons_per_sku(uow, dataset):
    counts = reasons_breakdown(
        uow, dataset.store_id, FEB_1, FEB_28, Cohort.RETURN_DATE, Grouping.SKU
    )

    assert counts == [
        ReasonCount("CHINO-32", "CHINO-32 title", "too_small", 1, 2),
        ReasonCount("CHINO-32", "CHINO-32 title", "defective", 1, 1),
        ReasonCount("LINEN-M", "LINEN-M title", "too_small", 1, 1),
    ]


def test_reasons_per_product_by_order_date(uow, dataset):
    counts = reasons_breakdown(
        uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE, Grouping.PRODUCT
    )

    assert counts == [
        ReasonCount("linen-shirt", "Linen-Shirt", "too_small", 2, 2),
        ReasonCount("chino", "Chino", "defective", 1, 1),
        ReasonCount("linen-shirt", "Linen-Shirt", "too_large", 1, 1),
    ]


def test_reasons_per_collection_and_alone(uow, dataset):
    store_id = dataset.store_id

    per_collection = reasons_breakdown(
        uow, store_id, FEB_1, FEB_28, Cohort.RETURN_DATE, Grouping.COLLECTION
    )
    alone = reasons_breakdown(uow, store_id, FEB_1, FEB_28, Cohort.RETURN_DATE, Grouping.REASON)

    assert per_collection == [
        ReasonCount("Trousers", "Trousers", "too_small", 1, 2),
        ReasonCount("Shirts", "Shirts", "too_small", 1, 1),
        ReasonCount("Trousers", "Trousers", "defective", 1, 1),
    ]
    assert alone == [ReasonCount("", "", "too_small", 2, 3), ReasonCount("", "", "defective", 1, 1)]


def test_resolution_mix_and_revenue_retained_per_currency(uow, dataset):
    mix = resolution_mix(uow, dataset.store_id, FEB_1, FEB_28, Cohort.ORDER_DATE)

    assert mix.totals == [
        ResolutionTotal("exchange", "EUR", 1, 1, 4900),
        ResolutionTotal("refund", "EUR", 1, 1, 4900),
        ResolutionTotal("store_credit", "EUR", 1, 1, 7000),
        ResolutionTotal("refund", "USD", 1, 1, 4900),
    ]
    assert mix.retained == [
        RetainedRevenue("EUR", 16800, 7000 + 4900, 0.7083),
        RetainedRevenue("USD", 4900, 0, 0.0),
    ]
