"""The test-send: a `webhook.test` event delivered to one subscription now, while the caller
waits, recorded as a delivery with its attempt like any other (but never retried)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from retour.db.models import Delivery, Event
from retour.db.repositories.outbox import Job, Outcome
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import Actor, Clock
from retour.webhooks.event_types import TEST_EVENT
from retour.webhooks.sender import WebhookSender
from retour.webhooks.subscriptions import load_subscription


@dataclass(frozen=True)
class ProbeResult:
    delivery_id: int
    is_success: bool
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str


def send_test_event(
    uow: UnitOfWork,
    store_id: int,
    subscription_id: int,
    sender: WebhookSender,
    actor: Actor,
    clock: Clock,
) -> ProbeResult:
    """Send `webhook.test` to the subscription (even a disabled one: that is how one checks
    a fixed endpoint before enabling it again)."""
    now = clock.now()
    worker = f"test-send:{uuid.uuid4().hex[:12]}"
    payload = {"message": "A test event from Retour.", "webhook_id": subscription_id}
    # Recorded first, leased to this request, and committed: the send happens outside any
    # transaction (a slow receiver must not hold SQLite's writer lock).
    with uow:
        subscription = load_subscription(uow, store_id, subscription_id)
        event = Event(
            store_id=store_id, name=TEST_EVENT, actor=str(actor), occurred_at=now, payload=payload
        )
        uow.session.add(event)
        uow.session.flush()
        delivery = Delivery(
            store_id=store_id,
            event_id=event.id,
            channel="webhook",
            kind=TEST_EVENT,
            recipient=subscription.url,
            subscription_id=subscription.id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            locked_until=now + timedelta(seconds=sender.timeout_seconds + 60),
            locked_by=worker,
            last_error="",
            message_id="",
            artifact="",
            created_at=now,
        )
        uow.session.add(delivery)
        uow.commit()
        job = Job(
            delivery_id=delivery.id,
            store_id=store_id,
            channel="webhook",
            kind=TEST_EVENT,
            recipient=subscription.url,
            subscription_id=subscription.id,
            attempts=0,
            event_id=event.id,
            event_name=TEST_EVENT,
            event_payload=payload,
            occurred_at=now,
            return_id=None,
            order_id=None,
            webhook_secret=subscription.secret,
            webhook_active=True,  # a test-send is asked for, even while disabled
        )
    started = time.perf_counter()
    result = sender.send(job)
    duration_ms = round((time.perf_counter() - started) * 1000)
    outcome = Outcome(
        delivery_id=job.delivery_id,
        store_id=store_id,
        is_success=result.is_success,
        duration_ms=duration_ms,
        status="delivered" if result.is_success else "dead",
        status_code=result.status_code,
        error=result.error[:2000],
        response_excerpt=result.response_excerpt[:1000],
    )
    with uow:
        uow.outbox.finish([outcome], worker, clock.now())
        uow.commit()
    return ProbeResult(
        delivery_id=job.delivery_id,
        is_success=result.is_success,
        status_code=result.status_code,
        duration_ms=duration_ms,
        response_excerpt=outcome.response_excerpt,
        error=outcome.error,
    )
