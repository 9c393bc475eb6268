"""Reports: JSON for dashboards, streamed CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from retour.services.refunds.report import DayTotal, Durations, OpenTotal, refunds_report
from retour.web.api.deps import Api

router = APIRouter(prefix="/reports", tags=["reports"])

CSV_COLUMNS = ("day", "method", "currency", "count", "amount", "paid_amount", "bonus_amount")


class DayTotalPublic(BaseModel):
    day: date
    method: str
    currency: str
    count: int
    amount: int
    paid_amount: int
    bonus_amount: int


class OpenTotalPublic(BaseModel):
    status: str
    currency: str
    count: int
    amount: int


class DurationsPublic(BaseModel):
    count: int
    median_hours: float | None
    p90_hours: float | None


class RefundReportPublic(BaseModel):
    date_from: date
    date_to: date
    timezone: str
    days: list[DayTotalPublic]
    open: list[OpenTotalPublic]
    time_from_request: DurationsPublic
    time_from_receipt: DurationsPublic


@router.get("/refunds", response_model=RefundReportPublic)
def refunds_report_route(
    api: Api,
    date_from: Annotated[date, Query(alias="from", description="first day, store timezone")],
    date_to: Annotated[date, Query(alias="to", description="last day, inclusive")],
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> RefundReportPublic | StreamingResponse:
    """Succeeded refunds per day, method and currency; open ones; time to refund."""
    report = refunds_report(api.uow(), api.store_id, date_from, date_to)
    if output == "csv":
        filename = f"refunds-{date_from}-{date_to}.csv"
        return StreamingResponse(
            _csv_rows(report.days),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return RefundReportPublic(
        date_from=report.date_from,
        date_to=report.date_to,
        timezone=report.timezone,
        days=[_day(total) for total in report.days],
        open=[_open(total) for total in report.open],
        time_from_request=_durations(report.from_request),
        time_from_receipt=_durations(report.from_receipt),
    )


def _csv_rows(days: list[DayTotal]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for total in days:
        writer.writerow([getattr(total, column) for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _day(total: DayTotal) -> DayTotalPublic:
    return DayTotalPublic(**{column: getattr(total, column) for column in CSV_COLUMNS})


def _open(total: OpenTotal) -> OpenTotalPublic:
    return OpenTotalPublic(
        status=total.status, currency=total.currency, count=total.count, amount=total.amount
    )


def _durations(durations: Durations) -> DurationsPublic:
    return DurationsPublic(
        count=durations.count,
        median_hours=durations.median_hours,
        p90_hours=durations.p90_hours,
    )
