"""Settings → return reasons: list, add, edit, move up or down, retire and bring back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.services.backoffice.reason_settings import (
    MAX_CODE_LENGTH,
    MAX_LABEL_LENGTH,
    ReasonForm,
    add_reason,
    list_reasons,
    move_reason,
    set_reason_active,
    update_reason,
)
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/reasons", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/reasons"
FLAGS = ("is_merchant_fault", "requires_photo", "requires_comment")
DONE = {
    "added": "The reason is added at the end of the list.",
    "saved": "The reason is saved.",
    "moved": "The reason is moved.",
    "retired": "The reason is retired: shoppers no longer see it.",
    "reactivated": "The reason is offered to shoppers again.",
}


@router.get("")
def reasons_page(request: Request) -> Response:
    return _reasons(StaffVisit(request))


@router.post("")
async def add(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        add_reason(visit.new_uow(), visit.staff, _form(fields))
    except DomainError as error:
        return _reasons(visit, error, refusal_status(error), kept=fields, target="new")
    return visit.redirect(f"{PAGE}?done=added")


@router.post("/{reason_id}")
async def edit(request: Request, reason_id: int) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        update_reason(visit.new_uow(), visit.staff, reason_id, _form(fields))
    except DomainError as error:
        return _reasons(visit, error, refusal_status(error), kept=fields, target=str(reason_id))
    return visit.redirect(f"{PAGE}?done=saved#reason-{reason_id}")


@router.post("/{reason_id}/move")
async def move(request: Request, reason_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        fields = await visit.form()
        move_reason(visit.new_uow(), visit.staff, reason_id, fields.get("direction", ""))
    except DomainError as error:
        return _reasons(visit, error, refusal_status(error), target=str(reason_id))
    return visit.redirect(f"{PAGE}?done=moved#reason-{reason_id}")


@router.post("/{reason_id}/retire")
async def retire(request: Request, reason_id: int) -> Response:
    return await _set_active(request, reason_id, active=False)


@router.post("/{reason_id}/reactivate")
async def reactivate(request: Request, reason_id: int) -> Response:
    return await _set_active(request, reason_id, active=True)


async def _set_active(request: Request, reason_id: int, active: bool) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        set_reason_active(visit.new_uow(), visit.staff, reason_id, active)
    except DomainError as error:
        return _reasons(visit, error, refusal_status(error), target=str(reason_id))
    done = "reactivated" if active else "retired"
    return visit.redirect(f"{PAGE}?done={done}#reason-{reason_id}")


def _form(fields: dict[str, str]) -> ReasonForm:
    """Unticked boxes are not posted: a flag is on only when its box was ticked."""
    flags = {name: fields.get(name) == "yes" for name in FLAGS}
    return ReasonForm(label=fields.get("label", ""), code=fields.get("code", ""), **flags)


def _reasons(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    target: str = "",
) -> Response:
    reasons = list_reasons(visit.new_uow(), visit.staff)
    return visit.page(
        "settings_reasons.html", status_code, reasons=reasons, error=error,
        field=error.extra.get("field", "") if error else "", target=target, fields=kept or {},
        done=DONE.get(visit.request.query_params.get("done", ""), ""),
        max_code=MAX_CODE_LENGTH, max_label=MAX_LABEL_LENGTH,
    )  # fmt: skip
