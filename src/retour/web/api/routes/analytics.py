"""Analytics reports: one JSON endpoint per metric and the streamed return-lines CSV.

Thin: each route parses the period, calls one report service (twice with `compare=true`) and
wraps its figures; docs/metrics.md defines every figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.services.reports.anomalies import find_return_anomalies
from retour.services.reports.breakdowns import Grouping, reasons_breakdown, resolution_mix
from retour.services.reports.decisions import policy_decisions, risk_distribution
from retour.services.reports.export import return_lines_csv
from retour.services.reports.money import refund_totals, return_costs
from retour.services.reports.outcomes import dispositions, repeat_returners
from retour.services.reports.return_rate import return_rate
from retour.services.reports.scope import previous_period, report_period
from retour.services.reports.timing import stage_times, time_to_refund
from retour.web.api.analytics_schemas import (
    AnomaliesPublic,
    DecisionCountPublic,
    DispositionsPublic,
    DurationPublic,
    PreviousPublic,
    ReasonCountPublic,
    RefundTotalPublic,
    RepeatReturnersPublic,
    ReportPublic,
    ResolutionMixPublic,
    ReturnCostsPublic,
    ReturnRatePublic,
    RiskBandPublic,
)
from retour.web.api.deps import Api

router = APIRouter(prefix="/reports", tags=["analytics"])

#: A report service: (uow, store id, first day, last day, cohort) → its figures.
Compute = Callable[[UnitOfWork, int, date, date, Cohort], Any]


@dataclass(frozen=True)
class PeriodQuery:
    date_from: date
    date_to: date
    cohort: Cohort


@dataclass(frozen=True)
class ReportQuery(PeriodQuery):
    compare: bool


def period_query(
    date_from: Annotated[date, Query(alias="from", description="first day, store timezone")],
    date_to: Annotated[date, Query(alias="to", description="last day, inclusive")],
    cohort: Annotated[
        Cohort, Query(description="put returns in the period by their order's date or their own")
    ] = Cohort.ORDER_DATE,
) -> PeriodQuery:
    return PeriodQuery(date_from, date_to, cohort)


def report_query(
    period: Annotated[PeriodQuery, Depends(period_query)],
    compare: Annotated[
        bool, Query(description="also report the same number of days just before the period")
    ] = False,
) -> ReportQuery:
    return ReportQuery(period.date_from, period.date_to, period.cohort, compare)


Report = Annotated[ReportQuery, Depends(report_query)]


def _report(api: Api, query: ReportQuery, metric: str, shape: Any, compute: Compute) -> Any:
    period = report_period(api.uow(), api.store_id, query.date_from, query.date_to)
    adapter: TypeAdapter[Any] = TypeAdapter(shape)

    def figures(first_day: date, last_day: date) -> Any:
        found = compute(api.uow(), api.store_id, first_day, last_day, query.cohort)
        return adapter.validate_python(found, from_attributes=True)

    previous = None
    if query.compare:
        before = previous_period(period)
        previous = PreviousPublic[Any](
            date_from=before.first_day,
            date_to=before.last_day,
            figures=figures(before.first_day, before.last_day),
        )
    return ReportPublic[Any](
        metric=metric,
        date_from=query.date_from,
        date_to=query.date_to,
        timezone=period.timezone,
        cohort=query.cohort,
        figures=figures(query.date_from, query.date_to),
        previous=previous,
    )


@router.get("/return-rate", response_model=ReportPublic[ReturnRatePublic])
def return_rate_report(api: Api, query: Report) -> Any:
    """Return rate by orders, by units and by value (per currency)."""
    return _report(api, query, "return_rate", ReturnRatePublic, return_rate)


@router.get("/reasons", response_model=ReportPublic[list[ReasonCountPublic]])
def reasons_report(
    api: Api,
    query: Report,
    by: Annotated[Grouping, Query(description="group reasons by SKU, product or collection")] = (
        Grouping.REASON
    ),
) -> Any:
    """Returns and units per reason (and per SKU, product or collection); most units first."""

    def compute(uow: UnitOfWork, store_id: int, first: date, last: date, cohort: Cohort) -> Any:
        return reasons_breakdown(uow, store_id, first, last, cohort, by)

    return _report(api, query, f"reasons_by_{by}", list[ReasonCountPublic], compute)


@router.get("/resolutions", response_model=ReportPublic[ResolutionMixPublic])
def resolutions_report(api: Api, query: Report) -> Any:
    """Resolution mix per currency and the revenue it retains."""
    return _report(api, query, "resolutions", ResolutionMixPublic, resolution_mix)


@router.get("/refund-totals", response_model=ReportPublic[list[RefundTotalPublic]])
def refund_totals_report(api: Api, query: Report) -> Any:
    """Refunds of the returns in scope per status, method and currency."""
    return _report(api, query, "refund_totals", list[RefundTotalPublic], refund_totals)


@router.get("/costs", response_model=ReportPublic[ReturnCostsPublic])
def costs_report(
    api: Api,
    query: Report,
    handling_cost: Annotated[
        int, Query(ge=0, le=10**9, description="per handled return, store currency minor units")
    ] = 0,
) -> Any:
    """Label costs, fees collected and a handling estimate."""

    def compute(uow: UnitOfWork, store_id: int, first: date, last: date, cohort: Cohort) -> Any:
        return return_costs(uow, store_id, first, last, cohort, handling_cost)

    return _report(api, query, "costs", ReturnCostsPublic, compute)


@router.get("/time-to-refund", response_model=ReportPublic[list[DurationPublic]])
def time_to_refund_report(api: Api, query: Report) -> Any:
    """Hours to a succeeded refund, from the request and from the receipt: median and p90."""
    return _report(api, query, "time_to_refund", list[DurationPublic], time_to_refund)


@router.get("/stage-times", response_model=ReportPublic[list[DurationPublic]])
def stage_times_report(api: Api, query: Report) -> Any:
    """Hours spent in each stage of the lifecycle: median and p90."""
    return _report(api, query, "stage_times", list[DurationPublic], stage_times)


@router.get("/dispositions", response_model=ReportPublic[DispositionsPublic])
def dispositions_report(api: Api, query: Report) -> Any:
    """Accepted units per disposition and the value recovered by restocking."""
    return _report(api, query, "dispositions", DispositionsPublic, dispositions)


@router.get("/repeat-returners", response_model=ReportPublic[RepeatReturnersPublic])
def repeat_returners_report(api: Api, query: Report) -> Any:
    """Customers with two or more returns: their share of customers and of returned value."""
    return _report(api, query, "repeat_returners", RepeatReturnersPublic, repeat_returners)


@router.get("/policy-decisions", response_model=ReportPublic[list[DecisionCountPublic]])
def policy_decisions_report(api: Api, query: Report) -> Any:
    """Returns per policy outcome (automatic, review, reject), override and current status."""
    return _report(api, query, "policy_decisions", list[DecisionCountPublic], policy_decisions)


@router.get("/risk", response_model=ReportPublic[list[RiskBandPublic]])
def risk_report(api: Api, query: Report) -> Any:
    """Returns per risk-score band of ten."""
    return _report(api, query, "risk", list[RiskBandPublic], risk_distribution)


@router.get("/anomalies", response_model=ReportPublic[AnomaliesPublic])
def anomalies_report(
    api: Api,
    date_from: Annotated[date, Query(alias="from", description="first day, store timezone")],
    date_to: Annotated[date, Query(alias="to", description="last day, inclusive")],
) -> Any:
    """SKU × reason pairs returned far above their own 90-day baseline (by return date)."""
    query = ReportQuery(date_from, date_to, Cohort.RETURN_DATE, compare=False)

    def compute(uow: UnitOfWork, store_id: int, first: date, last: date, _: Cohort) -> Any:
        return find_return_anomalies(uow, store_id, first, last)

    return _report(api, query, "anomalies", AnomaliesPublic, compute)


@router.get(
    "/returns.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per return line"}},
)
def returns_csv(api: Api, query: Annotated[PeriodQuery, Depends(period_query)]) -> Any:
    """Every return line of the cohort's returns in the period, streamed at constant memory."""
    # Checked before the first byte: once streaming, an error can no longer become a 422.
    report_period(api.uow(), api.store_id, query.date_from, query.date_to)
    rows = return_lines_csv(api.uow(), api.store_id, query.date_from, query.date_to, query.cohort)
    filename = f"returns-{query.cohort}-{query.date_from}-{query.date_to}.csv"
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
