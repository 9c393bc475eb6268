"""The back office's home, a return's page and its actions (the queue: queue_routes.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.policy_override import TermsOverride
from retour.domain.refund_quote import FeeCode
from retour.domain.returns import Return
from retour.services.backoffice import actions
from retour.services.backoffice.detail import read_return_photo, return_detail
from retour.services.backoffice.exchanging import choose_from_page, exchange_panel
from retour.services.backoffice.home import home
from retour.services.backoffice.labels import LabelForm, issue_label, label_file, void_label
from retour.services.backoffice.queue import ATTENTION
from retour.services.backoffice.refunding import (
    Payments,
    RefundForm,
    refund_from_page,
    retry_from_page,
)
from retour.services.errors import NotFound
from retour.services.exchanges.choosing import EXCHANGE_RESOLUTIONS
from retour.shipping.base import MEDIA_TYPES, DocumentKind
from retour.web.backoffice import forms
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

#: The shipment files a return's page links to, by the last part of their URL.
LABEL_FILES = {
    "label.pdf": DocumentKind.LABEL_PDF,
    "label.zpl": DocumentKind.LABEL_ZPL,
    "qr.png": DocumentKind.QR_PNG,
}
router = APIRouter(prefix=BASE, include_in_schema=False, route_class=BackOfficeRoute)


@router.get("")
def home_page(request: Request) -> Response:
    visit = StaffVisit(request)
    return visit.page(
        "home.html", home=home(visit.new_uow(), visit.staff, visit.now), attention=ATTENTION
    )


@router.get("/returns/{number}")
def return_page(request: Request, number: str) -> Response:
    visit = StaffVisit(request)
    return _return_page(visit, number)


def _approve(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    quantities = forms.approved_quantities(f, _current(v, number))
    return actions.approve(
        v.new_uow(), v.staff, number, seen, v.now, f.get("message", ""), quantities
    )


def _reject(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    forms.confirmed(f, "reject this return")
    return actions.reject(v.new_uow(), v.staff, number, seen, v.now, f.get("reason", ""))


def _request_info(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    return actions.request_info(v.new_uow(), v.staff, number, seen, v.now, f.get("message", ""))


def _cancel(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    forms.confirmed(f, "cancel this return")
    return actions.cancel(v.new_uow(), v.staff, number, seen, v.now, f.get("reason", ""))


def _change_location(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    return actions.change_location(
        v.new_uow(), v.staff, number, seen, v.now, f.get("location", ""), f.get("reason", "")
    )


def _override_policy(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    override = TermsOverride(
        waived_fees=frozenset(code for code in FeeCode if f.get(f"waive-{code.value}") == "yes"),
        refund_original_shipping=f.get("refund_original_shipping") == "yes",
        reason=f.get("reason", ""),
    )
    return actions.override_policy(v.new_uow(), v.staff, number, seen, v.now, override)


def _mark_in_transit(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    tracking, carrier = f.get("tracking_number", "").strip(), f.get("carrier", "").strip()
    return actions.mark_in_transit(v.new_uow(), v.staff, number, seen, v.now, tracking, carrier)


def _receive(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    receipts = forms.receipts(f, _current(v, number))
    return actions.receive(v.new_uow(), v.staff, number, seen, v.now, receipts)


def _inspect(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    verdicts = forms.verdicts(f, _current(v, number))
    return actions.inspect(v.new_uow(), v.staff, number, seen, v.now, verdicts)


def _complete(v: StaffVisit, number: str, seen: str, f: dict[str, str]) -> Return:
    return actions.complete(v.new_uow(), v.staff, number, seen, v.now)


#: Each action's form (by the last part of its URL) → what it runs.
ACTIONS: dict[str, Callable[[StaffVisit, str, str, dict[str, str]], Return]] = {
    "approve": _approve,
    "reject": _reject,
    "request-info": _request_info,
    "cancel": _cancel,
    "location": _change_location,
    "policy-override": _override_policy,
    "mark-in-transit": _mark_in_transit,
    "receive": _receive,
    "inspect": _inspect,
    "complete": _complete,
}


@router.post("/returns/{number}/notes")
async def add_note(request: Request, number: str) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        actions.add_note(visit.new_uow(), visit.staff, number, visit.now, fields.get("note", ""))
    except InvalidRequest as error:
        return _return_page(visit, number, error, fields, status_code=400)
    return visit.redirect(f"/returns/{number}#notes")


@router.post("/returns/{number}/refund")
async def refund(request: Request, number: str) -> Response:
    """Pay the return back as the form says; a refusal shows the page again, nothing paid."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        forms.confirmed(fields, "pay this refund")
        form = RefundForm(
            method=fields.get("method", ""), amount=fields.get("amount", ""),
            reason=fields.get("reason", ""), reference=fields.get("reference", ""),
            key=fields.get("key", ""),
        )  # fmt: skip
        made = refund_from_page(
            visit.new_uow(), visit.staff, number, fields.get("seen", ""), form, _payments(visit)
        )
    except DomainError as error:
        return _return_page(
            visit, number, error, fields | {"action": "refund"}, refusal_status(error)
        )
    return visit.redirect(f"/returns/{number}?done=refund-{made.status}#refunds")


@router.post("/returns/{number}/refunds/{refund_id}/retry")
async def retry(request: Request, number: str, refund_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        made = retry_from_page(visit.new_uow(), visit.staff, refund_id, _payments(visit))
    except DomainError as error:
        return _return_page(visit, number, error, {"action": "retry"}, refusal_status(error))
    return visit.redirect(f"/returns/{number}?done=refund-{made.status}#refunds")


def _payments(visit: StaffVisit) -> Payments:
    state = visit.state
    return Payments(state.payment_providers, state.new_uow, state.clock.now)


@router.post("/returns/{number}/labels/new")
async def new_label(request: Request, number: str) -> Response:
    """A prepaid label or QR drop-off code; one per form, however often it is sent."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        form = LabelForm(fields.get("method", ""), fields.get("parcels", ""), fields.get("key", ""))
        issue_label(
            visit.new_uow(), visit.staff, number, fields.get("seen", ""), form,
            visit.state.carriers, visit.state.clock,
        )  # fmt: skip
    except DomainError as error:
        return _return_page(
            visit, number, error, fields | {"action": "label"}, refusal_status(error)
        )
    return visit.redirect(f"/returns/{number}?done=label#shipments")


@router.post("/returns/{number}/shipments/{shipment_id}/void")
async def void(request: Request, number: str, shipment_id: int) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        forms.confirmed(fields, "void this label")
        void_label(
            visit.new_uow(), visit.staff, shipment_id, fields.get("reason", ""),
            visit.state.carriers, visit.state.clock,
        )  # fmt: skip
    except DomainError as error:
        return _return_page(
            visit, number, error, fields | {"action": "void"}, refusal_status(error)
        )
    return visit.redirect(f"/returns/{number}?done=label-voided#shipments")


@router.get("/shipments/{shipment_id}/{filename}")
def label_document(request: Request, shipment_id: int, filename: str) -> Response:
    visit = StaffVisit(request)
    kind = LABEL_FILES.get(filename)
    if kind is None:
        raise NotFound("file", filename)
    content = label_file(visit.new_uow(), visit.staff, shipment_id, kind, visit.state.clock)
    return visit.secured(
        Response(
            content,
            media_type=MEDIA_TYPES[kind],
            headers={
                "Content-Disposition": f'inline; filename="shipment-{shipment_id}-{filename}"'
            },
        )
    )


@router.post("/returns/{number}/exchange")
async def exchange(request: Request, number: str) -> Response:
    """Choose or change what the return is exchanged for; stock is checked (and reserved
    once approved) by the exchange use case."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        wanted = {
            int(name.removeprefix("units-")): forms.whole_number(fields, name)
            for name in fields
            if name.startswith("units-") and name.removeprefix("units-").isdigit()
        }
        choose_from_page(
            visit.new_uow(), visit.staff, number, fields.get("seen", ""),
            fields.get("kind", ""), wanted, visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _return_page(
            visit, number, error, fields | {"action": "exchange"}, refusal_status(error)
        )
    return visit.redirect(f"/returns/{number}?done=exchange#exchange")


@router.post("/returns/{number}/quantities")
async def edit_quantities(request: Request, number: str) -> Response:
    """Change approved units after approval; a refusal shows the page again with the reason
    next to its field, nothing changed."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        forms.confirmed(fields, "change the approved quantities")
        quantities = forms.edited_quantities(fields, _current(visit, number))
        actions.edit_quantities(
            visit.new_uow(), visit.staff, number, fields.get("seen", ""), visit.now,
            quantities, fields.get("reason", ""),
        )  # fmt: skip
    except DomainError as error:
        return _return_page(
            visit, number, error, fields | {"action": "quantities"}, refusal_status(error)
        )
    return visit.redirect(f"/returns/{number}?done=quantities-changed#quantities")


@router.post("/returns/{number}/{action}")
async def act(request: Request, number: str, action: str) -> Response:
    """Run one action; a refusal shows the page again with the reason, nothing changed."""
    visit = StaffVisit(request)
    run = ACTIONS.get(action)
    if run is None:
        return _return_page(
            visit, number, InvalidRequest(f"no action {action!r}", field="action"), {}, 404
        )
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        ret = run(visit, number, fields.get("seen", ""), fields)
    except DomainError as error:
        return _return_page(
            visit, number, error, fields | {"action": action}, refusal_status(error)
        )
    return visit.redirect(f"/returns/{ret.number}?done={action}")


@router.get("/photos/{token}")
def photo(request: Request, token: str) -> Response:
    visit = StaffVisit(request)
    content, media_type = read_return_photo(
        visit.new_uow(), visit.staff, token, visit.state.settings.data_dir
    )
    return visit.secured(
        Response(content, media_type=media_type, headers={"Cache-Control": "private"})
    )


def _current(visit: StaffVisit, number: str) -> Return:
    return return_detail(visit.new_uow(), visit.staff, number).ret


def _return_page(
    visit: StaffVisit,
    number: str,
    error: DomainError | None = None,
    fields: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    detail = return_detail(visit.new_uow(), visit.staff, number)
    return visit.page(
        "return.html", status_code, detail=detail, ret=detail.ret, error=error,
        exchange=exchange_panel(visit.new_uow(), visit.staff, number)
        if detail.ret.resolution in EXCHANGE_RESOLUTIONS else None,
        fields=fields or {}, done=visit.request.query_params.get("done", ""),
        refund_key=secrets.token_urlsafe(18), label_key=secrets.token_urlsafe(18),
        now=visit.now,
    )  # fmt: skip
