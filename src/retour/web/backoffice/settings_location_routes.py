"""Settings → return locations: add and edit locations, choose the default, write the rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.addresses import FIELD_NAMES, Address
from retour.domain.errors import DomainError
from retour.domain.routing import MAX_ROUTES, RouteMatch
from retour.services.backoffice.location_settings import (
    RuleRefused,
    RuleRow,
    add_location,
    edit_location,
    location_settings,
    make_default,
    save_rules,
)
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/locations", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/locations"
#: Blank rows under the rules, for new ones.
SPARE_RULES = 2
ADDRESS_LABELS = {
    "name": "Addressee", "company": "Company", "line1": "Street and number",
    "line2": "Address line 2", "city": "City", "region": "State or province",
    "postal_code": "Postal code", "country": "Country (ISO code, e.g. DE)", "phone": "Phone",
}  # fmt: skip
DONE = {
    "added": "The location is added. Rules below decide which returns go there.",
    "saved": "The location is saved.",
    "default": "This location is now the default: returns no rule matches go there.",
    "rules": "The rules are saved. New returns follow them; returns already made do not move.",
}


@router.get("")
def locations_page(request: Request) -> Response:
    return _page(StaffVisit(request))


@router.post("")
async def add(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        made = add_location(
            visit.new_uow(), visit.staff, fields.get("code", ""), fields.get("name", ""),
            _address(fields),
        )  # fmt: skip
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields, target="new")
    return visit.redirect(f"{PAGE}?done=added#location-{made.code}")


@router.post("/rules")
async def rules(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        save_rules(visit.new_uow(), visit.staff, _rule_rows(fields))
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields, target="rules")
    return visit.redirect(f"{PAGE}?done=rules#rules")


@router.post("/{code}")
async def edit(request: Request, code: str) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        edit_location(visit.new_uow(), visit.staff, code, fields.get("name", ""), _address(fields))
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields, target=code)
    return visit.redirect(f"{PAGE}?done=saved#location-{code}")


@router.post("/{code}/default")
async def default(request: Request, code: str) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        make_default(visit.new_uow(), visit.staff, code)
    except DomainError as error:
        return _page(visit, error, refusal_status(error), target=code)
    return visit.redirect(f"{PAGE}?done=default#location-{code}")


def _address(fields: dict[str, str]) -> Address:
    return Address(**{name: fields.get(f"address.{name}", "") for name in FIELD_NAMES})


def _rule_rows(fields: dict[str, str]) -> list[RuleRow]:
    """The rows as posted (`rule-0-location`…), ordered by their Order box, then as shown."""
    rows: list[tuple[int, int, RuleRow]] = []
    for index in range(MAX_ROUTES + SPARE_RULES):
        if f"rule-{index}-location" not in fields:
            break
        row = RuleRow(
            fields.get(f"rule-{index}-location", ""),
            fields.get(f"rule-{index}-match", ""),
            ""
            if fields.get(f"rule-{index}-remove") == "yes"
            else fields.get(f"rule-{index}-values", ""),
        )
        order = fields.get(f"rule-{index}-order", "").strip()
        rows.append((int(order) if order.isdigit() else index + 1, index, row))
    return [row for *_, row in sorted(rows, key=lambda item: item[:2])]


def _page(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    target: str = "",
) -> Response:
    settings = location_settings(visit.new_uow(), visit.staff)
    spare = [{"location": "", "match": RouteMatch.COUNTRY.value, "values": ""}] * SPARE_RULES
    rules = [
        {"location": route.location, "match": route.match.value, "values": ", ".join(route.values)}
        for route in settings.routes
    ] + spare
    if target == "rules" and kept:
        # The rows as typed, in the order they were saved in: a refusal's row counts them.
        rules = [
            {"location": row.location, "match": row.match, "values": row.values}
            for row in _rule_rows(kept)
        ]
    return visit.page(
        "settings_locations.html", status_code, locations=settings.locations,
        rules=rules, matches=[kind.value for kind in RouteMatch],
        address_labels=ADDRESS_LABELS, error=error, target=target, fields=kept or {},
        field=error.extra.get("field", "") if error else "",
        error_row=error.row if isinstance(error, RuleRefused) else None,
        done=DONE.get(visit.request.query_params.get("done", ""), ""),
    )  # fmt: skip
