"""Public JSON shapes of the analytics reports (`/api/v1/reports/…`).

Every report comes in one envelope: the period (store-local days), its timezone, the cohort
that put returns in it, the figures, and optionally the same figures for the period before.
Amounts are integers in minor units, always next to their currency.
"""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from retour.domain.reports.periods import Cohort

Figures = TypeVar("Figures")


class Public(BaseModel):
    """Read from the services' dataclasses by attribute."""

    model_config = ConfigDict(from_attributes=True)


class PreviousPublic(BaseModel, Generic[Figures]):
    date_from: date
    date_to: date
    figures: Figures


class ReportPublic(BaseModel, Generic[Figures]):
    metric: str
    date_from: date
    date_to: date
    timezone: str
    cohort: Cohort
    figures: Figures
    #: The same report over as many days just before (`compare=true`), else null.
    previous: PreviousPublic[Figures] | None = None


class CurrencyValuePublic(Public):
    currency: str
    sold: int
    returned: int
    rate: float | None


class ReturnRatePublic(Public):
    orders: int
    returned_orders: int
    order_rate: float | None
    units_sold: int
    units_returned: int
    unit_rate: float | None
    value: list[CurrencyValuePublic]


class ReasonCountPublic(Public):
    key: str
    label: str
    reason_code: str
    returns: int
    units: int


class ResolutionTotalPublic(Public):
    resolution: str
    currency: str
    lines: int
    units: int
    value: int


class RetainedRevenuePublic(Public):
    currency: str
    returned_value: int
    retained_value: int
    rate: float | None


class ResolutionMixPublic(Public):
    totals: list[ResolutionTotalPublic]
    retained: list[RetainedRevenuePublic]


class RefundTotalPublic(Public):
    status: str
    method: str
    currency: str
    count: int
    amount: int
    paid_amount: int
    bonus_amount: int
    fees_amount: int


class CurrencyCostsPublic(Public):
    currency: str
    labels: int
    label_cost: int
    fees_collected: int


class ReturnCostsPublic(Public):
    per_currency: list[CurrencyCostsPublic]
    handled_returns: int
    handling_estimate: int
    handling_currency: str


class DurationPublic(Public):
    name: str
    count: int
    median_hours: float | None
    p90_hours: float | None


class DispositionTotalPublic(Public):
    disposition: str
    currency: str
    units: int
    value: int


class DispositionsPublic(Public):
    totals: list[DispositionTotalPublic]
    recovered_by_restocking: dict[str, int]


class RepeatReturnerValuePublic(Public):
    currency: str
    returned_value: int
    repeat_value: int
    share: float | None


class RepeatReturnersPublic(Public):
    customers: int
    repeat_customers: int
    share_of_customers: float | None
    value: list[RepeatReturnerValuePublic]


class DecisionCountPublic(Public):
    outcome: str
    is_overridden: bool
    status: str
    returns: int


class RiskBandPublic(Public):
    low: int | None
    high: int | None
    returns: int


class AnomalyPublic(Public):
    sku: str
    title: str
    reason_code: str
    returns: int
    expected_returns: float
    ratio: float
    p_value: float
    baseline_returns: int


class AnomaliesPublic(Public):
    baseline_from: date
    baseline_to: date
    anomalies: list[AnomalyPublic]
