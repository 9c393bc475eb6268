"""Disabling a subscription that keeps failing, and telling the store (`webhook.disabled`).

Checked when one of its deliveries goes dead (the worker calls this in the transaction that
records the attempt). A subscription is disabled when it has had no successful delivery for
three days (a delivery dies after about three days of retries, so an endpoint that is simply
down is caught by its first dead delivery), or when its last DEAD_IN_A_ROW finished deliveries
all died (410 Gone or a refused address kill a delivery at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select

from retour.db.models import Delivery, DeliveryAttempt, WebhookSubscription
from retour.db.repositories.outbox import Job
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.services.context import SYSTEM
from retour.webhooks.event_types import DISABLED_EVENT, TEST_EVENT
from retour.webhooks.subscriptions import deactivate

FAILING_FOR = timedelta(days=3)
DEAD_IN_A_ROW = 10


def disable_failing_subscriptions(uow: UnitOfWork, dead: Sequence[Job], now: datetime) -> list[int]:
    """For webhook deliveries that just went dead: disable their subscriptions that fail
    persistently. Returns the ids disabled."""
    subscription_ids = sorted(
        {job.subscription_id for job in dead if job.channel == "webhook" and job.subscription_id}
    )
    disabled = []
    for subscription_id in subscription_ids:
        row = uow.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id)
            .with_for_update()
        ).one_or_none()
        if row is None or not row.is_active:
            continue
        reason = failing_reason(uow, row, now)
        if reason:
            disable_subscription(uow, row, reason, now)
            disabled.append(row.id)
    return disabled


def failing_reason(uow: UnitOfWork, row: WebhookSubscription, now: datetime) -> str:
    """Why the subscription counts as persistently failing, or "" if it does not."""
    last_success = uow.session.scalar(
        select(func.max(DeliveryAttempt.attempted_at))
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(
            Delivery.subscription_id == row.id,
            DeliveryAttempt.is_success.is_(True),
            Delivery.kind != TEST_EVENT,
        )
    )
    quiet_since = last_success or row.created_at
    if now - quiet_since >= FAILING_FOR:
        if last_success is None:
            return f"no successful delivery since it was created {_days(now - quiet_since)} ago"
        return f"no successful delivery for {_days(now - quiet_since)}"
    latest = list(
        uow.session.scalars(
            select(Delivery.status)
            .where(
                Delivery.subscription_id == row.id,
                Delivery.status.in_(("delivered", "dead")),
                Delivery.kind != TEST_EVENT,
            )
            .order_by(Delivery.id.desc())
            .limit(DEAD_IN_A_ROW)
        )
    )
    if len(latest) == DEAD_IN_A_ROW and set(latest) == {"dead"}:
        return f"its last {DEAD_IN_A_ROW} deliveries all failed"
    return ""


def disable_subscription(
    uow: UnitOfWork, row: WebhookSubscription, reason: str, now: datetime
) -> None:
    """Switch it off, cancel what it still had to send, and append `webhook.disabled` (which
    e-mails the store's owners, admins and agents)."""
    deactivate(uow, row, reason, now)
    uow.session.flush()
    uow.events.append(
        [
            DomainEvent(
                DISABLED_EVENT,
                {
                    "webhook_id": row.id,
                    "url": row.url,
                    "description": row.description,
                    "reason": reason,
                    "disabled_at": now.isoformat(),
                },
            )
        ],
        store_id=row.store_id,
        actor=str(SYSTEM),
        occurred_at=now,
    )


def _days(span: timedelta) -> str:
    days = span.total_seconds() / 86400
    return f"{days:.1f} days"
