"""The back office's analytics dashboard: a period's reports as charts with their tables,
every figure linking to the returns queue behind it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from retour.domain.errors import InvalidRequest
from retour.domain.reports.periods import Cohort
from retour.domain.staff import Permission, ensure_permitted
from retour.services.backoffice.dashboard import Dashboard, dashboard, default_period
from retour.web.backoffice import charts
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit

router = APIRouter(prefix=BASE, include_in_schema=False, route_class=BackOfficeRoute)
STYLESHEET = (Path(__file__).parent / "static" / "reports.css").read_text()
COHORTS = {Cohort.RETURN_DATE: "by return date", Cohort.ORDER_DATE: "by order date"}


@router.get("/reports.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/reports")
def reports_page(request: Request) -> Response:
    visit = StaffVisit(request)
    params = request.query_params
    first, last = default_period(visit.now, visit.timezone)
    fields = {
        "from": params.get("from", "").strip() or first.isoformat(),
        "to": params.get("to", "").strip() or last.isoformat(),
        "cohort": params.get("cohort", "").strip() or Cohort.RETURN_DATE.value,
    }
    try:
        board = dashboard(
            visit.new_uow(), visit.staff, _day(fields["from"], "from"),
            _day(fields["to"], "to"), _cohort(fields["cohort"]),
        )  # fmt: skip
    except InvalidRequest as error:
        ensure_permitted(visit.staff, Permission.VIEW_REPORTS)  # a refusal before any error
        return visit.page("reports.html", 400, board=None, error=error, fields=fields,
                          cohorts=COHORTS)  # fmt: skip
    return visit.page(
        "reports.html", board=board, error=None, fields=fields, cohorts=COHORTS,
        charts=dashboard_charts(board), queue=QueueLinks(board), percent=rate_text,
        change=change_text, label=code_label,
    )  # fmt: skip


class QueueLinks:
    """Links to the returns queue filtered to what a figure counts: its requested-date range
    (the period's, or a bucket's) and its reason or SKU."""

    def __init__(self, board: Dashboard) -> None:
        self.board = board

    def __call__(self, first: date | None = None, last: date | None = None, **filters: str) -> str:
        query = {name: value for name, value in filters.items() if value}
        query["from"] = (first or self.board.period.first_day).isoformat()
        query["to"] = (last or self.board.period.last_day).isoformat()
        return f"{BASE}/returns?{urlencode(query)}"

    def previous(self) -> str:
        return self(self.board.previous.first_day, self.board.previous.last_day)


def dashboard_charts(board: Dashboard) -> dict[str, Markup]:
    """The page's charts; the tables beside them carry the same figures."""
    period = f"{board.period.first_day.isoformat()} to {board.period.last_day.isoformat()}"
    over_time = [
        charts.Point(point.first_day.isoformat(), point.order_rate) for point in board.series
    ]
    reasons = [
        charts.Bar(code_label(count.reason_code), count.units, units_text(count.units))
        for count in board.reasons
    ]
    units_per_resolution: dict[str, int] = {}
    for total in board.resolutions.totals:
        units_per_resolution[total.resolution] = (
            units_per_resolution.get(total.resolution, 0) + total.units
        )
    resolutions = [
        charts.Bar(code_label(resolution), units, units_text(units))
        for resolution, units in sorted(units_per_resolution.items(), key=lambda r: -r[1])
    ]
    products = [
        charts.Bar(product.sku, product.units_returned, units_text(product.units_returned))
        for product in board.products
    ]
    return {
        "over_time": charts.line_chart(over_time, f"Return rate by orders, {period}"),
        "reasons": charts.bar_chart(reasons, f"Units returned per reason, {period}"),
        "resolutions": charts.bar_chart(resolutions, f"Units per resolution, {period}"),
        "products": charts.bar_chart(products, f"Most returned products, {period}"),
    }


def rate_text(rate: float | None) -> str:
    return "–" if rate is None else charts.percent(rate)


def change_text(current: float | None, previous: float | None) -> str:
    """The change of a rate in percentage points: "+6.7 pts"; "–" when either is missing."""
    if current is None or previous is None:
        return "–"
    points = round((current - previous) * 100, 1)
    return f"{points:+g} pts" if points else "0 pts"


def units_text(units: int) -> str:
    return f"{units} unit" if units == 1 else f"{units} units"


def code_label(code: str) -> str:
    return code.replace("_", " ")


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{field} must be a date like 2026-03-31", field=field) from None


def _cohort(text: str) -> Cohort:
    try:
        return Cohort(text)
    except ValueError:
        raise InvalidRequest("cohort must be return_date or order_date", field="cohort") from None
