"""Settings → payment providers: who refunds each gateway (read only) and the money settings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.payments.registry import PaymentProviders
from retour.services.backoffice.payment_settings import (
    AMOUNTS,
    EDITED,
    PERCENTS,
    RECENT_PAYMENTS,
    payment_settings,
    save_money_settings,
)
from retour.services.store_settings import EXCHANGE_FALLBACK_CHOICES
from retour.web.backoffice.forms import amount_field
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/payments", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/payments"


@router.get("")
def payments_page(request: Request) -> Response:
    return _page(StaffVisit(request))


@router.post("/money")
async def save(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        save_money_settings(visit.new_uow(), visit.staff, fields)
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields)
    return visit.redirect(f"{PAGE}?done=money#money")


def _page(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    providers: PaymentProviders = visit.state.payment_providers
    settings = payment_settings(visit.new_uow(), providers, visit.staff)
    shown = {name: _shown(name, getattr(settings.money, name), settings.currency)
             for name in EDITED}  # fmt: skip
    if kept:
        shown = {name: kept.get(name, "") for name in EDITED}
    return visit.page(
        "settings_payments.html", status_code, settings=settings, fields=shown,
        stripe_gateways=settings.gateways_of("stripe"), recent_payments=RECENT_PAYMENTS,
        fallbacks=EXCHANGE_FALLBACK_CHOICES, error=error,
        field=error.extra.get("field", "") if error else "",
        done=visit.request.query_params.get("done") == "money",
    )  # fmt: skip


def _shown(name: str, value: object, currency: str) -> str:
    """A setting as its field shows it: amounts in the currency, basis points as per cent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if name in AMOUNTS and isinstance(value, int):
        return amount_field(value, currency)
    if name in PERCENTS and isinstance(value, int):
        return f"{value / 100:g}"
    return str(value)
