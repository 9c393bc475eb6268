"""Settings → webhooks → deliveries: a subscription's deliveries (filtered by status, older
ones a page at a time), one delivery with its attempts, sending again, and the test send."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.services.backoffice.webhook_deliveries import (
    STATUSES,
    get_webhook,
    get_webhook_delivery,
    list_webhook_deliveries,
    replay_dead_webhook_deliveries,
    replay_webhook_delivery,
    send_webhook_test,
)
from retour.web.api.routes.webhooks import webhook_sender
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/webhooks/{{webhook_id}}/deliveries",
    include_in_schema=False,
    route_class=BackOfficeRoute,
)
PAGE_SIZE = 50
DONE = {
    "replayed": "The delivery will be sent again shortly, with the same webhook-id.",
    "not-replayed": "A test event is never sent again; send a new one from the deliveries page.",
    "tested": "The test event was sent; its delivery is at the top of the list.",
}


def _page(webhook_id: int) -> str:
    return f"/settings/webhooks/{webhook_id}/deliveries"


@router.get("")
def deliveries_page(request: Request, webhook_id: int) -> Response:
    return _deliveries(StaffVisit(request), webhook_id)


@router.post("/replay")
async def replay_all(request: Request, webhook_id: int) -> Response:
    """Every dead or cancelled delivery back in the queue; the worker sends them."""
    visit = StaffVisit(request)
    try:
        await visit.form()
        count = replay_dead_webhook_deliveries(visit.new_uow(), visit.staff, webhook_id, visit.now)
    except DomainError as error:
        return _deliveries(visit, webhook_id, error, refusal_status(error))
    return visit.redirect(f"{_page(webhook_id)}?replayed={count}")


@router.post("/test")
async def test_send(request: Request, webhook_id: int) -> Response:
    """A `webhook.test` event sent now, even to a switched-off webhook."""
    visit = StaffVisit(request)
    try:
        await visit.form()
        sender = webhook_sender(visit.request)
        send_webhook_test(visit.new_uow(), visit.staff, webhook_id, sender, visit.state.clock)
    except DomainError as error:
        return _deliveries(visit, webhook_id, error, refusal_status(error))
    return visit.redirect(f"{_page(webhook_id)}?done=tested")


@router.get("/{delivery_id}")
def delivery_page(request: Request, webhook_id: int, delivery_id: int) -> Response:
    return _delivery(StaffVisit(request), webhook_id, delivery_id)


@router.post("/{delivery_id}/replay")
async def replay(request: Request, webhook_id: int, delivery_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        replayed = replay_webhook_delivery(
            visit.new_uow(), visit.staff, webhook_id, delivery_id, visit.now
        )
    except DomainError as error:
        return _delivery(visit, webhook_id, delivery_id, error, refusal_status(error))
    # Only a test event stays as it was: the outbox never sends one again.
    done = "replayed" if replayed.status == "pending" else "not-replayed"
    return visit.redirect(f"{_page(webhook_id)}/{delivery_id}?done={done}")


def _deliveries(
    visit: StaffVisit, webhook_id: int, error: DomainError | None = None, status_code: int = 200
) -> Response:
    query = visit.request.query_params
    status = query.get("status", "")
    webhook = get_webhook(visit.new_uow(), visit.staff, webhook_id)
    page = list_webhook_deliveries(
        visit.new_uow(), visit.staff, webhook_id, query.get("cursor") or None, PAGE_SIZE,
        status if status in STATUSES else None,
    )  # fmt: skip
    replayed = query.get("replayed", "")
    done = DONE.get(query.get("done", ""), "")
    if replayed.isdigit():
        noun = "delivery" if replayed == "1" else "deliveries"
        done = f"{replayed} dead or cancelled {noun} will be sent again shortly."
    return visit.page(
        "settings_webhook_deliveries.html", status_code, webhook=webhook, page=page,
        status=status if status in STATUSES else "", statuses=STATUSES, error=error, done=done,
    )  # fmt: skip


def _delivery(
    visit: StaffVisit,
    webhook_id: int,
    delivery_id: int,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    webhook = get_webhook(visit.new_uow(), visit.staff, webhook_id)
    detail = get_webhook_delivery(visit.new_uow(), visit.staff, webhook_id, delivery_id)
    done = DONE.get(visit.request.query_params.get("done", ""), "")
    return visit.page(
        "settings_webhook_delivery.html", status_code, webhook=webhook, detail=detail,
        error=error, done=done,
    )  # fmt: skip
