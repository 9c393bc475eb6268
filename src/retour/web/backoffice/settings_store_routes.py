"""Settings → store profile and branding: one form, saved whole or not at all."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.notifications.labels import LOCALES
from retour.services.backoffice.store_profile_settings import (
    MAX_RETURN_DEADLINE_DAYS,
    ProfileForm,
    store_profile,
    update_store_profile,
)
from retour.services.shipments.settings import MAX_LABEL_EXPIRY_DAYS
from retour.services.store_settings import AUTO_REFUND_CHOICES
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/store", include_in_schema=False, route_class=BackOfficeRoute
)
FORM_FIELDS = tuple(field.name for field in dataclass_fields(ProfileForm))
AUTO_REFUND_LABELS = {
    "off": "Off: staff refund each return",
    "on_approval": "When the return is approved",
    "on_receipt": "When the parcel is received",
    "on_inspection": "When the items pass inspection",
}
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}


@router.get("")
def store_page(request: Request) -> Response:
    return _store(StaffVisit(request))


@router.post("")
async def save(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        form = ProfileForm(**{name: fields.get(name, "") for name in FORM_FIELDS})
        update_store_profile(visit.new_uow(), visit.staff, form)
    except DomainError as error:
        return _store(visit, error, refusal_status(error), kept=fields)
    return visit.redirect("/settings/store?done=saved")


def _store(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    profile = store_profile(visit.new_uow(), visit.staff)
    shown = {name: str(getattr(profile, name)) for name in FORM_FIELDS}
    if kept:
        shown |= {name: kept.get(name, "") for name in FORM_FIELDS}
    done = visit.request.query_params.get("done") == "saved"
    return visit.page(
        "settings_store.html", status_code, profile=profile, fields=shown, error=error,
        field=error.extra.get("field", "") if error else "", done=done,
        auto_refunds=[(value, AUTO_REFUND_LABELS[value]) for value in AUTO_REFUND_CHOICES],
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in LOCALES],
        max_deadline=MAX_RETURN_DEADLINE_DAYS, max_label_expiry=MAX_LABEL_EXPIRY_DAYS,
    )  # fmt: skip
