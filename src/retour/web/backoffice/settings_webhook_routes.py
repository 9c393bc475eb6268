"""Settings → webhooks: list, create (the secret shown once), disable, enable, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.services.backoffice.webhook_settings import (
    create_webhook,
    delete_webhook,
    disable_webhook,
    enable_webhook,
    list_webhooks,
)
from retour.web.backoffice import forms
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status
from retour.webhooks.event_types import ALL_EVENTS, EVENT_TYPES
from retour.webhooks.subscriptions import UrlPolicy

router = APIRouter(
    prefix=f"{BASE}/settings/webhooks", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/webhooks"
#: Each event type is a box of its own (`event-return.approved`), `event-*` for all of them.
EVENT_FIELD = "event-"
DONE = {
    "disabled": "The webhook is switched off; its pending deliveries are cancelled.",
    "enabled": (
        "The webhook is on again; to send the deliveries cancelled while it was off, use "
        "'Send again every dead or cancelled delivery' on its deliveries page."
    ),
    "deleted": "The webhook and its deliveries are deleted.",
}


@router.get("")
def webhooks_page(request: Request) -> Response:
    return _webhooks(StaffVisit(request))


@router.post("")
async def add(request: Request) -> Response:
    """The new subscription with its signing secret on a page of its own, this once."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        events = [
            name.removeprefix(EVENT_FIELD)
            for name, value in fields.items()
            if name.startswith(EVENT_FIELD) and value == "yes"
        ]
        created = create_webhook(
            visit.new_uow(), visit.staff, fields.get("url", ""), events,
            fields.get("description", ""), _policy(visit), visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _webhooks(visit, error, refusal_status(error), kept=fields, target="new")
    return visit.page("settings_webhook_created.html", created=created)


@router.post("/{webhook_id}/disable")
async def disable(request: Request, webhook_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        disable_webhook(visit.new_uow(), visit.staff, webhook_id, visit.now)
    except DomainError as error:
        return _webhooks(visit, error, refusal_status(error), target=str(webhook_id))
    return visit.redirect(f"{PAGE}?done=disabled#webhook-{webhook_id}")


@router.post("/{webhook_id}/enable")
async def enable(request: Request, webhook_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        enable_webhook(visit.new_uow(), visit.staff, webhook_id, _policy(visit), visit.now)
    except DomainError as error:
        return _webhooks(visit, error, refusal_status(error), target=str(webhook_id))
    return visit.redirect(f"{PAGE}?done=enabled#webhook-{webhook_id}")


@router.post("/{webhook_id}/delete")
async def delete(request: Request, webhook_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        fields = await visit.form()
        forms.confirmed(fields, "delete this webhook")
        delete_webhook(visit.new_uow(), visit.staff, webhook_id)
    except DomainError as error:
        return _webhooks(visit, error, refusal_status(error), target=str(webhook_id))
    return visit.redirect(f"{PAGE}?done=deleted")


def _policy(visit: StaffVisit) -> UrlPolicy:
    """The operator's setting, as the API's webhook routes read it."""
    return UrlPolicy(allow_private=visit.state.settings.webhooks_allow_private)


def _webhooks(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    target: str = "",
) -> Response:
    webhooks = list_webhooks(visit.new_uow(), visit.staff)
    field = error.extra.get("field", "") if error else ""
    return visit.page(
        "settings_webhooks.html", status_code, webhooks=webhooks, error=error,
        field="event_types" if field.startswith("event_types") else field, target=target,
        fields=kept or {}, done=DONE.get(visit.request.query_params.get("done", ""), ""),
        event_types=[(ALL_EVENTS, "every event, including types added later"),
                     *EVENT_TYPES.items()],
    )  # fmt: skip
