"""Settings → audit log: the store's settings changes made in the back office, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.services.backoffice.audit import audit_log
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit

router = APIRouter(
    prefix=f"{BASE}/settings/audit", include_in_schema=False, route_class=BackOfficeRoute
)


@router.get("")
def audit_page(request: Request) -> Response:
    visit = StaffVisit(request)
    before = visit.request.query_params.get("before", "")
    page = audit_log(visit.new_uow(), visit.staff, before if before.isdigit() else None)
    return visit.page("settings_audit.html", page=page)
