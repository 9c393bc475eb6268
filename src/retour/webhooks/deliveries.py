"""A subscription's deliveries and their attempts, and sending them again (replay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import Delivery, DeliveryAttempt, WebhookSubscription
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.services.errors import NotFound
from retour.services.queries import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor
from retour.webhooks.event_types import TEST_EVENT
from retour.webhooks.subscriptions import load_subscription

#: Deliveries a bulk replay sends again: given up on, or cancelled when the subscription was
#: disabled.
REPLAYABLE = ("dead", "cancelled")
#: At most this many ids in one UPDATE … WHERE id IN (…).
REPLAY_CHUNK = 500


class SubscriptionDisabled(DomainError):
    """Replaying to a disabled subscription would send nothing; enable it first."""

    code = "webhook_disabled"

    def __init__(self, subscription_id: int) -> None:
        super().__init__(
            f"webhook {subscription_id} is disabled; enable it (PATCH active: true) first",
            field="active",
        )


@dataclass(frozen=True)
class AttemptView:
    id: int
    attempted_at: datetime
    is_success: bool
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: int
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_row(cls, row: Delivery) -> DeliveryView:
        return cls(
            id=row.id,
            event_id=row.event_id,
            event_type=row.kind,
            status=row.status,
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )


@dataclass(frozen=True)
class DeliveryDetail:
    delivery: DeliveryView
    attempts: list[AttemptView]


def list_deliveries(
    uow: UnitOfWork,
    store_id: int,
    subscription_id: int,
    cursor: str | None,
    limit: int,
    status: str | None = None,
) -> Page[DeliveryView]:
    """Newest first; pass `next_cursor` back for older ones."""
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    statement = select(Delivery).where(
        Delivery.subscription_id == subscription_id, Delivery.store_id == store_id
    )
    if status:
        statement = statement.where(Delivery.status == status)
    before = decode_cursor(cursor)
    if before is not None:
        statement = statement.where(Delivery.id < before)
    statement = statement.order_by(Delivery.id.desc()).limit(limit + 1)
    with uow:
        load_subscription(uow, store_id, subscription_id)
        rows = [DeliveryView.from_row(row) for row in uow.session.scalars(statement)]
    more = len(rows) > limit
    return Page(rows[:limit], encode_cursor(rows[limit - 1].id) if more else None)


def get_delivery(
    uow: UnitOfWork, store_id: int, subscription_id: int, delivery_id: int
) -> DeliveryDetail:
    """The delivery with every attempt, oldest first."""
    with uow:
        row = _load_delivery(uow, store_id, subscription_id, delivery_id)
        attempts = uow.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == row.id)
            .order_by(DeliveryAttempt.id)
        )
        return DeliveryDetail(
            DeliveryView.from_row(row),
            [
                AttemptView(
                    id=attempt.id,
                    attempted_at=attempt.attempted_at,
                    is_success=attempt.is_success,
                    status_code=attempt.status_code,
                    duration_ms=attempt.duration_ms,
                    response_excerpt=attempt.response_excerpt,
                    error=attempt.error,
                )
                for attempt in attempts
            ],
        )


def replay_delivery(
    uow: UnitOfWork, store_id: int, subscription_id: int, delivery_id: int, now: datetime
) -> DeliveryView:
    """Send one delivery again (dead, cancelled or even delivered), with the same
    `webhook-id` so a receiver that already has it can tell."""
    with uow:
        subscription = _active_subscription(uow, store_id, subscription_id)
        row = _load_delivery(uow, store_id, subscription_id, delivery_id)
        if row.status != "pending":
            _requeue(uow, subscription, [row.id], now)
            uow.session.refresh(row)
        uow.commit()
        return DeliveryView.from_row(row)


def replay_deliveries(
    uow: UnitOfWork, store_id: int, subscription_id: int, since: datetime | None, now: datetime
) -> int:
    """Send again every dead or cancelled delivery of the subscription (created since
    `since`, if given). Returns how many were queued."""
    statement = select(Delivery.id).where(
        Delivery.subscription_id == subscription_id,
        Delivery.status.in_(REPLAYABLE),
        Delivery.kind != TEST_EVENT,
    )
    if since is not None:
        statement = statement.where(Delivery.created_at >= since)
    with uow:
        subscription = _active_subscription(uow, store_id, subscription_id)
        ids = list(uow.session.scalars(statement.order_by(Delivery.id)))
        for start in range(0, len(ids), REPLAY_CHUNK):
            _requeue(uow, subscription, ids[start : start + REPLAY_CHUNK], now)
        uow.commit()
    return len(ids)


def _requeue(
    uow: UnitOfWork, subscription: WebhookSubscription, ids: list[int], now: datetime
) -> None:
    # To where the subscription points now (the outbox's replay sees to that).
    uow.outbox.replay(now, store_id=subscription.store_id, delivery_ids=ids)


def _active_subscription(
    uow: UnitOfWork, store_id: int, subscription_id: int
) -> WebhookSubscription:
    subscription = load_subscription(uow, store_id, subscription_id)
    if not subscription.is_active:
        raise SubscriptionDisabled(subscription_id)
    return subscription


def _load_delivery(
    uow: UnitOfWork, store_id: int, subscription_id: int, delivery_id: int
) -> Delivery:
    load_subscription(uow, store_id, subscription_id)
    row = uow.session.get(Delivery, delivery_id)
    if row is None or row.subscription_id != subscription_id or row.store_id != store_id:
        raise NotFound("delivery", delivery_id)
    return row
