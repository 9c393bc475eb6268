"""The returns queue: the filtered list, its CSV export, and bulk approve / reject."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.datastructures import QueryParams
from fastapi.responses import Response, StreamingResponse

from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.staff import Permission, ensure_permitted
from retour.domain.statuses import ReturnStatus
from retour.services.backoffice.bulk import MAX_BULK, Ticked, decide_many
from retour.services.backoffice.export import queue_csv
from retour.services.backoffice.on_behalf import (
    METHODS,
    RESOLUTIONS,
    NewReturn,
    open_return_for_shopper,
    order_for_new_return,
)
from retour.services.backoffice.queue import ATTENTION, RISK_BANDS, QueueFilter, returns_queue
from retour.services.backoffice.unplanned import UnplannedOrder, order_to_return
from retour.web.backoffice import forms
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(prefix=BASE, include_in_schema=False, route_class=BackOfficeRoute)


@router.get("/returns")
def queue_page(request: Request) -> Response:
    visit = StaffVisit(request)
    params = request.query_params
    error: InvalidRequest | None = None
    try:
        where = queue_filter(params)
        after = forms.whole_number(dict(params), "after") or None
        page = returns_queue(visit.new_uow(), visit.staff, where, visit.now, after)
    except InvalidRequest as refused:
        error, where = refused, QueueFilter()
        page = returns_queue(visit.new_uow(), visit.staff, where, visit.now)
    return _queue(visit, page, where, error)


@router.get("/returns.csv")
def queue_export(request: Request) -> Response:
    """Every return of the filter (not just one page), streamed."""
    visit = StaffVisit(request)
    chunks = queue_csv(visit.new_uow(), visit.staff, queue_filter(request.query_params), visit.now)
    day = visit.now.date().isoformat()
    return visit.secured(
        StreamingResponse(
            chunks,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="returns-{day}.csv"'},
        )
    )


@router.post("/returns/bulk")
async def bulk_decision(request: Request) -> Response:
    """Approve or reject the ticked returns; the page says which were and why others not."""
    visit = StaffVisit(request)
    fields = await visit.form()  # checks CSRF; the parsed form is kept for the ticked list
    form = await request.form()
    ticked = [
        Ticked(str(number), fields.get(f"seen-{number}", "")) for number in form.getlist("number")
    ]
    decision = fields.get("decision", "")
    back = _queue_path(fields.get("back", ""))
    try:
        forms.confirmed(fields, f"{decision or 'decide'} every ticked return")
        outcome = decide_many(
            visit.new_uow(), visit.staff, decision, ticked, visit.now, fields.get("message", "")
        )
    except DomainError as error:
        if error.code == "not_permitted":
            raise
        return visit.page("bulk_done.html", 400, outcome=None, error=error, back=back)
    return visit.page("bulk_done.html", outcome=outcome, error=None, back=back)


@router.get("/returns/new")
def new_return_page(request: Request, order: str = "") -> Response:
    """Ask for the order number, then show its items (before `/returns/{number}`)."""
    visit = StaffVisit(request)
    if not order:
        ensure_permitted(visit.staff, Permission.REVIEW_RETURNS)
        return visit.page("new_return.html", found=None, error=None, fields={}, order="")
    try:
        found = order_for_new_return(visit.new_uow(), visit.staff, order)
    except InvalidRequest as error:
        return visit.page("new_return.html", 400, found=None, error=error, fields={}, order=order)
    return _new_return(visit, found, None, {}, 200)


@router.post("/returns/new/{order_id}")
async def open_new_return(request: Request, order_id: int) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        units = {
            int(name.removeprefix("units-")): forms.whole_number(fields, name)
            for name in fields
            if name.startswith("units-") and name.removeprefix("units-").isdigit()
        }
        wanted = NewReturn(
            units, fields.get("reason", ""), fields.get("resolution", ""),
            fields.get("method", ""), fields.get("note", ""), fields.get("override", ""),
        )  # fmt: skip
        ret = open_return_for_shopper(visit.new_uow(), visit.staff, order_id, wanted, visit.now)
    except DomainError as error:
        status = refusal_status(error)  # a role's refusal goes on up first
        found = order_to_return(visit.new_uow(), visit.staff.store_id, order_id)
        return _new_return(visit, found, error, fields, status)
    return visit.redirect(f"/returns/{ret.number}?done=created")


def _new_return(
    visit: StaffVisit,
    found: UnplannedOrder,
    error: DomainError | None,
    fields: dict[str, str],
    status_code: int,
) -> Response:
    return visit.page(
        "new_return.html", status_code, found=found, error=error, fields=fields,
        order=found.number, resolutions=[r.value for r in RESOLUTIONS],
        methods=[m.value for m in METHODS],
    )  # fmt: skip


def queue_filter(params: QueryParams) -> QueueFilter:
    return QueueFilter(
        status=params.get("status", ""),
        attention=params.get("attention", ""),
        search=params.get("q", ""),
        reason=params.get("reason", ""),
        method=params.get("method", ""),
        risk=params.get("risk", ""),
        created_from=_day(params.get("from", ""), "from"),
        created_to=_day(params.get("to", ""), "to"),
        sort=params.get("sort", "") or "newest",
    ).checked()


def _queue(
    visit: StaffVisit, page: object, where: QueueFilter, error: InvalidRequest | None
) -> Response:
    params = visit.request.query_params
    kept = {name: value for name, value in params.items() if value and name != "after"}
    return visit.page(
        "queue.html", 400 if error else 200, page=page, where=where, kept=kept, error=error,
        statuses=[status.value for status in ReturnStatus], attention=ATTENTION,
        risks=list(RISK_BANDS), max_bulk=MAX_BULK,
    )  # fmt: skip


def _queue_path(wanted: str) -> str:
    """Back to the queue with its filters; never elsewhere."""
    if wanted.startswith(f"{BASE}/returns") and "//" not in wanted and "\\" not in wanted:
        return wanted
    return f"{BASE}/returns"


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(f"{field} must be a date like 2026-03-31", field=field) from None
