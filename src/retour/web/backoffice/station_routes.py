"""The warehouse station: scan, then one press receives and grades the parcel's items."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.lines import Disposition, Grade
from retour.domain.staff import Permission, ensure_permitted
from retour.services.backoffice.detail import return_detail
from retour.services.backoffice.station import (
    StationLine,
    default_lines,
    find_scanned,
    receive_and_grade,
    record_parcel_without_return,
)
from retour.services.backoffice.station_photos import StationPhotos
from retour.services.backoffice.unplanned import (
    open_unplanned_return,
    order_found_by_scan,
    unplanned_order,
)
from retour.services.portal.photos import MAX_PER_ITEM, clean_image
from retour.web.backoffice import forms
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

#: Photos one receive form may carry: a few per line of a large return.
MAX_FILES = 8 * MAX_PER_ITEM
#: Lines of up to this many awaited units can be graded (and photographed) unit by unit.
MAX_UNITS_APART = 20
router = APIRouter(prefix=f"{BASE}/station", include_in_schema=False, route_class=BackOfficeRoute)


@router.get("")
def scan_page(request: Request) -> Response:
    visit = StaffVisit(request)
    params = request.query_params
    return visit.page(
        "station.html", error=None, code="", done=params.get("done", ""),
        units=params.get("units", ""), parcel=params.get("parcel", ""),
    )  # fmt: skip


@router.post("")
async def scan(request: Request) -> Response:
    """One match opens it; several are listed; none offers search or an unmatched parcel."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        found = find_scanned(visit.new_uow(), visit.staff, fields.get("code", ""))
    except InvalidRequest as error:
        return visit.page("station.html", 400, error=error, code=fields.get("code", ""), done="")
    if len(found.numbers) == 1:
        return visit.redirect(f"/station/{found.numbers[0]}")
    order_id = (
        None if found.numbers else order_found_by_scan(visit.new_uow(), visit.staff, found.code)
    )
    return visit.page(
        "station_found.html", 200 if found.numbers else 404, found=found, order_id=order_id
    )


@router.get("/unplanned/{order_id}")
def unplanned_page(request: Request, order_id: int) -> Response:
    visit = StaffVisit(request)
    return _unplanned_page(visit, order_id, None, {})


@router.post("/unplanned/{order_id}")
async def open_unplanned(request: Request, order_id: int) -> Response:
    """Open and approve the parcel's return, then receive it on the usual station page."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        order = unplanned_order(visit.new_uow(), visit.staff, order_id)
        units = {
            line.order_line_id: forms.whole_number(fields, f"units-{line.order_line_id}")
            for line in order.lines
        }
        ret = open_unplanned_return(
            visit.new_uow(), visit.staff, order_id, units, fields.get("reason", ""),
            fields.get("note", ""), visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _unplanned_page(visit, order_id, error, fields, refusal_status(error))
    return visit.redirect(f"/station/{ret.number}")


@router.post("/parcels")
async def record_parcel(request: Request) -> Response:
    visit = StaffVisit(request)
    fields = await visit.form()
    parcel = record_parcel_without_return(
        visit.new_uow(), visit.staff, fields.get("code", ""), fields.get("sender", ""),
        fields.get("note", ""), visit.now,
    )  # fmt: skip
    return visit.redirect(f"/station?parcel={parcel}")


@router.get("/{number}")
def receive_page(request: Request, number: str) -> Response:
    visit = StaffVisit(request)
    return _receive_page(visit, number, None, {})


@router.post("/{number}")
async def receive(request: Request, number: str) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form(max_files=MAX_FILES)
        current = return_detail(visit.new_uow(), visit.staff, number).ret
        lines = forms.station_lines(fields, current)
        photos = await _photos(visit, lines)
        ret = receive_and_grade(
            visit.new_uow(), visit.staff, number, fields.get("seen", ""), visit.now, lines,
            photos,
        )  # fmt: skip
    except DomainError as error:
        return _receive_page(visit, number, error, fields, refusal_status(error))
    units = sum(line.received for line in lines)
    return visit.redirect(f"/station?done={ret.number}&units={units}")


async def _photos(visit: StaffVisit, lines: list[StationLine]) -> StationPhotos:
    """Each line's photos and its units', checked by decoding before anything is received."""
    by_line, by_unit = {}, {}
    for line in lines:
        name = f"photos-{line.line_id}"
        contents = await visit.files(name)
        if contents:
            by_line[line.line_id] = [clean_image(content, name) for content in contents]
        for unit in range(1, MAX_UNITS_APART + 1):
            name = f"photos-{line.line_id}-{unit}"
            contents = await visit.files(name)
            if contents:
                by_unit[line.line_id, unit] = [clean_image(c, name) for c in contents]
    return StationPhotos(visit.state.settings.data_dir, by_line, by_unit)


def _unplanned_page(
    visit: StaffVisit,
    order_id: int,
    error: DomainError | None,
    fields: dict[str, str],
    status_code: int = 200,
) -> Response:
    order = unplanned_order(visit.new_uow(), visit.staff, order_id)
    return visit.page(
        "station_unplanned.html", status_code, order=order, error=error, fields=fields
    )


def _receive_page(
    visit: StaffVisit,
    number: str,
    error: DomainError | None,
    fields: dict[str, str],
    status_code: int = 200,
) -> Response:
    ensure_permitted(visit.staff, Permission.HANDLE_PARCELS)
    detail = return_detail(visit.new_uow(), visit.staff, number)
    return visit.page(
        "station_return.html", status_code, detail=detail, ret=detail.ret,
        awaited=default_lines(detail.ret), error=error, fields=fields,
        grades=[grade.value for grade in Grade],
        dispositions=[disposition.value for disposition in Disposition],
        units_apart=MAX_UNITS_APART,
    )  # fmt: skip
