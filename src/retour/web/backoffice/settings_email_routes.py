"""Settings → e-mails: switch each kind on or off; edit, preview, save or put back a template."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.notifications.labels import LOCALES
from retour.notifications.preview import Preview
from retour.notifications.templates import PARTS, TemplateSource
from retour.services.backoffice.email_settings import (
    email_kinds,
    email_template,
    preview_email_template,
    revert_email_template,
    save_email_template,
    switch_email,
)
from retour.web.backoffice import forms
from retour.web.backoffice.email_preview import preview_policy
from retour.web.backoffice.settings_store_routes import LANGUAGE_NAMES
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/emails", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/emails"
#: When each kind is sent (docs/notifications.md, "Which e-mails, and when").
SENT_WHEN = {
    "return_requested": "When a return is requested",
    "return_approved": "When a return is approved: how to send the items back, and by when",
    "return_rejected": "When a return is rejected, with the reason staff gave",
    "return_info_requested": "When staff ask the shopper a question",
    "return_quantities_changed": "When staff change the approved quantities after approval",
    "return_location_changed": (
        "When staff send an approved ship-it-yourself return to another address"
    ),
    "return_label_ready": "When a label or QR drop-off code is made",
    "return_in_transit": "When the parcel is on its way",
    "return_received": "When items arrive",
    "return_refunded": "When a refund succeeds",
    "return_exchanged": "When an exchange's replacement is released",
    "return_cancelled": "When a return is cancelled",
    "return_expired": "When nothing arrived by the deadline",
    "staff_review_needed": "When a return is requested and may need a review",
    "staff_refund_failed": "When a refund fails",
    "staff_unexpected_parcel": "When a parcel no return expects is recorded",
    "staff_webhook_disabled": "When a webhook is switched off after failing",
    "staff_daily_digest": "Once a day: returns to review, failed refunds, overdue parcels",
}
#: The languages e-mails are written in, as the table's columns.
LANGUAGES = {locale: LANGUAGE_NAMES.get(locale, locale) for locale in LOCALES}
PART_LABELS = {"subject": "Subject", "html": "HTML part", "text": "Plain-text part"}
DONE = {
    "saved": "The template is saved: e-mails sent from now on use it.",
    "reverted": "The store's own template is deleted: e-mails from now on use the built-in one.",
}
SWITCHED = {"on": "is on: it is sent from now on.", "off": "is off: it is not sent from now on."}


@router.get("")
def emails_page(request: Request) -> Response:
    visit = StaffVisit(request)
    query = visit.request.query_params
    done, kind, cancelled = query.get("done", ""), query.get("kind", ""), query.get("cancelled", "")
    notice = f"{kind} {SWITCHED[done]}" if done in SWITCHED and kind in SENT_WHEN else ""
    if notice and cancelled.isdigit() and int(cancelled):
        count = int(cancelled)
        notice += f" Cancelled: {count} e-mail{'s' if count > 1 else ''} still waiting to be sent."
    return visit.page(
        "settings_emails.html", kinds=email_kinds(visit.new_uow(), visit.staff),
        sent_when=SENT_WHEN, languages=LANGUAGES, done=notice,
    )  # fmt: skip


@router.post("/{kind}/switch")
async def switch(request: Request, kind: str) -> Response:
    visit = StaffVisit(request)
    fields = await visit.form()
    is_enabled = fields.get("enabled") == "yes"
    changed = switch_email(visit.new_uow(), visit.staff, kind, is_enabled, visit.now)
    state = "on" if changed.is_enabled else "off"
    return visit.redirect(
        f"{PAGE}?done={state}&kind={kind}&cancelled={changed.cancelled_pending}#kind-{kind}"
    )


@router.get("/{kind}/{locale}")
def template_page(request: Request, kind: str, locale: str) -> Response:
    return _page(StaffVisit(request), kind, locale)


@router.post("/{kind}/{locale}")
async def save(request: Request, kind: str, locale: str) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        save_email_template(
            visit.new_uow(), visit.staff, kind, locale, _source(fields),
            str(visit.state.settings.base_url), visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _page(visit, kind, locale, error, refusal_status(error), kept=fields)
    return visit.redirect(f"{PAGE}/{kind}/{locale}?done=saved")


@router.post("/{kind}/{locale}/preview")
async def preview(request: Request, kind: str, locale: str) -> Response:
    """The page again with the draft as typed and, under it, the e-mail it renders."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        rendered = preview_email_template(
            visit.new_uow(), visit.staff, kind, locale, _source(fields), fields.get("rma", ""),
            str(visit.state.settings.base_url), visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _page(visit, kind, locale, error, refusal_status(error), kept=fields)
    return _page(visit, kind, locale, kept=fields, preview=rendered)


@router.post("/{kind}/{locale}/revert")
async def revert(request: Request, kind: str, locale: str) -> Response:
    visit = StaffVisit(request)
    try:
        fields = await visit.form()
        forms.confirmed(fields, "delete this template and go back to the built-in one")
        revert_email_template(visit.new_uow(), visit.staff, kind, locale)
    except DomainError as error:
        return _page(visit, kind, locale, error, refusal_status(error))
    return visit.redirect(f"{PAGE}/{kind}/{locale}?done=reverted")


def _source(fields: dict[str, str]) -> TemplateSource:
    # Browsers send textarea line breaks as CRLF; templates are stored with LF.
    parts = {part: fields.get(part, "").replace("\r\n", "\n") for part in PARTS}
    return TemplateSource(**parts)


def _page(
    visit: StaffVisit,
    kind: str,
    locale: str,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    preview: Preview | None = None,
) -> Response:
    view = email_template(visit.new_uow(), visit.staff, kind, locale)
    typed = kept or {}
    source = _source(typed) if all(part in typed for part in PARTS) else view.source
    page = visit.page(
        "settings_email.html", status_code, view=view, source=source, part_labels=PART_LABELS,
        language=LANGUAGES.get(locale, locale), sent_when=SENT_WHEN.get(kind, ""),
        error=error, field=error.extra.get("field", "") if error else "",
        rma=typed.get("rma", ""), preview=preview,
        done=DONE.get(visit.request.query_params.get("done", ""), ""),
    )  # fmt: skip
    if preview is not None:
        page.headers["Content-Security-Policy"] = preview_policy(preview.html)
    return page
