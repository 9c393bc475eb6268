"""Webhook subscriptions, their deliveries, replays and the test-send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from retour.web.api.deps import Api
from retour.web.api.webhook_schemas import (
    DeliveryDetailPublic,
    DeliveryPage,
    DeliveryPublic,
    EventTypeList,
    EventTypePublic,
    ReplayResult,
    WebhookCreate,
    WebhookList,
    WebhookPublic,
    WebhookTestResult,
    WebhookUpdate,
    WebhookWithSecret,
)
from retour.webhooks import deliveries, subscriptions
from retour.webhooks.event_types import EVENT_TYPES
from retour.webhooks.probe import send_test_event
from retour.webhooks.sender import WebhookSender, webhook_sender_from_settings
from retour.webhooks.subscriptions import SubscriptionChanges, UrlPolicy

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such webhook (or delivery) in this store"},
    422: {"description": "Invalid input, e.g. a private address or an unknown event type"},
}


def url_policy(request: Request) -> UrlPolicy:
    return UrlPolicy(allow_private=request.app.state.settings.webhooks_allow_private)


def webhook_sender(request: Request) -> WebhookSender:
    """One sender (and connection pool) per app, made on first use."""
    state = request.app.state
    sender: WebhookSender | None = getattr(state, "webhook_sender", None)
    if sender is None:
        sender = state.webhook_sender = webhook_sender_from_settings(state.settings)
    return sender


Policy = Annotated[UrlPolicy, Depends(url_policy)]
Sender = Annotated[WebhookSender, Depends(webhook_sender)]


@router.get("/event-types", response_model=EventTypeList)
def event_types_route(api: Api) -> EventTypeList:
    """The event types a subscription can ask for (or `*` for all, including future ones)."""
    return EventTypeList(
        items=[EventTypePublic(name=name, description=text) for name, text in EVENT_TYPES.items()]
    )


@router.post("", response_model=WebhookWithSecret, status_code=201, responses=_RESPONSES)
def create_webhook_route(body: WebhookCreate, api: Api, policy: Policy) -> JSONResponse:
    """Subscribe a URL; the answer holds the signing secret, shown this once."""
    return api.mutate(
        body,
        lambda uow: subscriptions.create_subscription(
            uow,
            api.store_id,
            body.url,
            body.event_types,
            body.description,
            policy,
            api.clock.now(),
        ),
        WebhookWithSecret.from_created,
        status_code=201,
    )


@router.get("", response_model=WebhookList)
def list_webhooks_route(api: Api) -> WebhookList:
    items = subscriptions.list_subscriptions(api.uow(), api.store_id)
    return WebhookList(items=[WebhookPublic.from_service(item) for item in items])


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=_RESPONSES)
def get_webhook_route(webhook_id: int, api: Api) -> WebhookPublic:
    """The subscription, without its secret."""
    found = subscriptions.get_subscription(api.uow(), api.store_id, webhook_id)
    return WebhookPublic.from_service(found)


@router.patch("/{webhook_id}", response_model=WebhookPublic, responses=_RESPONSES)
def update_webhook_route(
    webhook_id: int, body: WebhookUpdate, api: Api, policy: Policy
) -> WebhookPublic:
    """Change the URL, event types, description, or switch it off and on (`active`).
    Switching off cancels its pending deliveries; replay them after switching on."""
    changes = SubscriptionChanges(
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        is_active=body.active,
    )
    updated = subscriptions.update_subscription(
        api.uow(), api.store_id, webhook_id, changes, policy, api.clock.now()
    )
    return WebhookPublic.from_service(updated)


@router.delete("/{webhook_id}", status_code=204, responses=_RESPONSES)
def delete_webhook_route(webhook_id: int, api: Api) -> Response:
    """Delete the subscription with its deliveries and their attempts."""
    subscriptions.delete_subscription(api.uow(), api.store_id, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate-secret", response_model=WebhookWithSecret, responses=_RESPONSES)
def rotate_secret_route(webhook_id: int, api: Api) -> JSONResponse:
    """A new signing secret, used from the next attempt on (the old one stops at once)."""
    return api.mutate(
        None,
        lambda uow: subscriptions.rotate_secret(uow, api.store_id, webhook_id, api.clock.now()),
        WebhookWithSecret.from_created,
    )


@router.post("/{webhook_id}/test", response_model=WebhookTestResult, responses=_RESPONSES)
def test_webhook_route(webhook_id: int, api: Api, sender: Sender) -> WebhookTestResult:
    """Send a `webhook.test` event now and answer with what the receiver said (200 even when
    the receiver failed: see `success`)."""
    result = send_test_event(api.uow(), api.store_id, webhook_id, sender, api.actor, api.clock)
    return WebhookTestResult.from_probe(result)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, responses=_RESPONSES)
def list_deliveries_route(
    webhook_id: int,
    api: Api,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|dead|cancelled)$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """Newest first; follow `next_cursor` for older ones."""
    page = deliveries.list_deliveries(api.uow(), api.store_id, webhook_id, cursor, limit, status)
    return DeliveryPage(
        items=[DeliveryPublic.from_service(item) for item in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetailPublic,
    responses=_RESPONSES,
)
def get_delivery_route(webhook_id: int, delivery_id: int, api: Api) -> DeliveryDetailPublic:
    """The delivery with every attempt: status code, duration, the answer's first KB, error."""
    detail = deliveries.get_delivery(api.uow(), api.store_id, webhook_id, delivery_id)
    return DeliveryDetailPublic.from_detail(detail)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/replay",
    response_model=DeliveryPublic,
    status_code=202,
    responses=_RESPONSES,
)
def replay_delivery_route(webhook_id: int, delivery_id: int, api: Api) -> JSONResponse:
    """Send this delivery again soon, with the same `webhook-id`."""
    return api.mutate(
        None,
        lambda uow: deliveries.replay_delivery(
            uow, api.store_id, webhook_id, delivery_id, api.clock.now()
        ),
        DeliveryPublic.from_service,
        status_code=202,
    )


@router.post(
    "/{webhook_id}/replay", response_model=ReplayResult, status_code=202, responses=_RESPONSES
)
def replay_webhook_route(
    webhook_id: int,
    api: Api,
    since: Annotated[datetime | None, Query(description="only deliveries created since")] = None,
) -> JSONResponse:
    """Send again every dead or cancelled delivery of the subscription (since `since`)."""
    return api.mutate(
        None,
        lambda uow: deliveries.replay_deliveries(
            uow, api.store_id, webhook_id, since, api.clock.now()
        ),
        lambda count: ReplayResult(replayed=count),
        status_code=202,
    )
