"""Settings → carriers: add the store's EasyPost account, replace its key, turn it off and on,
and set what a label costs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.addresses import address_lines
from retour.domain.errors import DomainError
from retour.services.backoffice.carrier_settings import (
    AccountForm,
    add_account,
    carrier_settings,
    change_account,
    save_label_cost,
    switch_account,
)
from retour.shipping.registry import Carriers
from retour.web.backoffice.forms import amount_field
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/carriers", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/carriers"
CARRIER_TITLES = {"builtin": "Built-in carrier", "easypost": "EasyPost"}
DONE = {
    "added": "The account is added and on: the store's next labels are bought with it.",
    "saved": "The account is saved. Its key and webhook secret are kept, never shown.",
    "off": "The account is off: new labels are made by the default carrier shown below. "
    "Labels bought with it can still be voided and tracked.",
    "on": "The account is on again.",
    "labels": "The label cost is saved. Labels made from now on record it.",
}
#: Fields a refused form shows again as typed; a key or a secret never is.
KEPT = ("carrier", "service", "label_cost")


@router.get("")
def carriers_page(request: Request) -> Response:
    return _page(StaffVisit(request))


@router.post("/accounts")
async def add(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        carrier = fields.get("carrier", "")
        add_account(visit.new_uow(), _carriers(visit), visit.staff, carrier, _account(fields),
                    visit.now)  # fmt: skip
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields, target="new")
    return visit.redirect(f"{PAGE}?done=added#carrier-{carrier}")


@router.post("/accounts/{carrier}")
async def change(request: Request, carrier: str) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        change_account(visit.new_uow(), _carriers(visit), visit.staff, carrier, _account(fields),
                       visit.now)  # fmt: skip
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields, target=carrier)
    return visit.redirect(f"{PAGE}?done=saved#carrier-{carrier}")


@router.post("/accounts/{carrier}/off")
async def switch_off(request: Request, carrier: str) -> Response:
    return await _switch(StaffVisit(request), carrier, is_active=False)


@router.post("/accounts/{carrier}/on")
async def switch_on(request: Request, carrier: str) -> Response:
    return await _switch(StaffVisit(request), carrier, is_active=True)


@router.post("/labels")
async def labels(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        save_label_cost(visit.new_uow(), visit.staff, fields.get("label_cost", ""))
    except DomainError as error:
        return _page(visit, error, refusal_status(error), kept=fields, target="labels")
    return visit.redirect(f"{PAGE}?done=labels#labels")


async def _switch(visit: StaffVisit, carrier: str, is_active: bool) -> Response:
    try:
        await visit.form()
        switch_account(visit.new_uow(), visit.staff, carrier, is_active, visit.now)
    except DomainError as error:
        return _page(visit, error, refusal_status(error), target=carrier)
    return visit.redirect(f"{PAGE}?done={'on' if is_active else 'off'}#carrier-{carrier}")


def _carriers(visit: StaffVisit) -> Carriers:
    carriers: Carriers = visit.state.carriers
    return carriers


def _account(fields: dict[str, str]) -> AccountForm:
    return AccountForm(
        fields.get("api_key", ""), fields.get("webhook_secret", ""), fields.get("service", "")
    )


def _page(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    target: str = "",
) -> Response:
    settings = carrier_settings(visit.new_uow(), _carriers(visit), visit.staff)
    base_url = str(visit.state.settings.base_url).rstrip("/")
    webhook_urls = {
        account.carrier: f"{base_url}/api/v1/carriers/{account.carrier}/webhooks"
        for account in settings.accounts
    }
    return visit.page(
        "settings_carriers.html", status_code, settings=settings, titles=CARRIER_TITLES,
        webhook_urls=webhook_urls, return_address=address_lines(settings.return_address),
        label_cost=amount_field(settings.label_cost, settings.currency), error=error,
        target=target,
        fields={name: (kept or {}).get(name, "") for name in KEPT} if kept else {},
        field=error.extra.get("field", "") if error else "",
        done=DONE.get(visit.request.query_params.get("done", ""), ""),
    )  # fmt: skip
