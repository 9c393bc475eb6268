"""The outbox: fan events out to deliveries (same transaction), and lease them to workers.

Fan-out is one INSERT … SELECT per audience, built once: webhook subscriptions that want the
event type, the shopper of the return, the store's staff. Claiming is one UPDATE … WHERE id IN
(SELECT … FOR UPDATE SKIP LOCKED) on PostgreSQL (SQLite's writer lock serialises it the same
way): a delivery leased to one worker is invisible to the others until the lease lapses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from retour.db.base import UTCDateTime
from retour.db.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    NotificationSetting,
    ReturnRow,
    StaffUser,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)
from retour.domain.notifications import SHOPPER_EMAILS, STAFF_EMAILS, STAFF_RECIPIENT_ROLES

DELIVERIES = cast(Table, Delivery.__table__)
ATTEMPTS = cast(Table, DeliveryAttempt.__table__)
_NOW = bindparam("now", type_=UTCDateTime())
# Typed once: PostgreSQL must deduce one type per parameter, in the SELECT list and the WHERE.
_STORE = bindparam("store_id", type_=Integer())
_EVENT = bindparam("event_id", type_=Integer())
_KIND = bindparam("kind", type_=String())
_RETURN = bindparam("return_id", type_=Integer())
_FANOUT_COLUMNS = [
    DELIVERIES.c.store_id, DELIVERIES.c.event_id, DELIVERIES.c.channel, DELIVERIES.c.kind,
    DELIVERIES.c.recipient, DELIVERIES.c.subscription_id, DELIVERIES.c.status,
    DELIVERIES.c.attempts, DELIVERIES.c.next_attempt_at, DELIVERIES.c.locked_by,
    DELIVERIES.c.last_error, DELIVERIES.c.message_id, DELIVERIES.c.artifact,
    DELIVERIES.c.created_at,
]  # fmt: skip


def _fanout(channel: str, recipient: Any, subscription_id: Any) -> list[Any]:
    return [
        _STORE, _EVENT, literal(channel), _KIND,
        recipient, subscription_id, literal("pending"), literal(0), _NOW, literal(""),
        literal(""), literal(""), literal(""), _NOW,
    ]  # fmt: skip


_SWITCHED_OFF = exists().where(
    NotificationSetting.store_id == _STORE,
    NotificationSetting.kind == _KIND,
    NotificationSetting.is_enabled.is_(False),
)
WEBHOOK_FANOUT = insert(DELIVERIES).from_select(
    _FANOUT_COLUMNS,
    select(*_fanout("webhook", WebhookSubscription.url, WebhookSubscription.id))
    .join(
        WebhookSubscriptionEvent,
        WebhookSubscriptionEvent.subscription_id == WebhookSubscription.id,
    )
    .where(
        WebhookSubscription.store_id == _STORE,
        WebhookSubscription.is_active.is_(True),
        or_(
            WebhookSubscriptionEvent.event_type == _KIND,
            WebhookSubscriptionEvent.event_type == "*",
        ),
    )
    .distinct(),
)
SHOPPER_FANOUT = insert(DELIVERIES).from_select(
    _FANOUT_COLUMNS,
    select(*_fanout("email", ReturnRow.customer_email, null())).where(
        ReturnRow.id == _RETURN, ~_SWITCHED_OFF
    ),
)
STAFF_FANOUT = insert(DELIVERIES).from_select(
    _FANOUT_COLUMNS,
    select(*_fanout("email", StaffUser.email, null())).where(
        StaffUser.store_id == _STORE,
        StaffUser.is_active.is_(True),
        StaffUser.role.in_(STAFF_RECIPIENT_ROLES),
        ~_SWITCHED_OFF,
    ),
)


@dataclass(frozen=True)
class StoredEvent:
    id: int
    store_id: int
    name: str
    return_id: int | None


@dataclass(frozen=True)
class Job:
    """A leased delivery with everything a sender needs."""

    delivery_id: int
    store_id: int
    channel: str
    kind: str
    recipient: str
    subscription_id: int | None
    attempts: int
    event_id: int
    event_name: str
    event_payload: dict[str, Any]
    occurred_at: datetime
    return_id: int | None
    order_id: int | None
    webhook_secret: str | None


@dataclass(frozen=True)
class Outcome:
    """What one attempt did, and what happens to the delivery next."""

    delivery_id: int
    is_success: bool
    duration_ms: int
    #: pending (try again at `next_attempt_at`), delivered or dead.
    status: str
    next_attempt_at: datetime | None = None
    status_code: int | None = None
    error: str = ""
    response_excerpt: str = ""
    message_id: str = ""
    artifact: str = ""


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- in the event's transaction ---------------------------------------------------------

    def fan_out(self, events: Sequence[StoredEvent], now: datetime) -> None:
        connection = self.session.connection()
        for event in events:
            parameters = {"store_id": event.store_id, "event_id": event.id, "now": now}
            connection.execute(WEBHOOK_FANOUT, {**parameters, "kind": event.name})
            shopper_kind = SHOPPER_EMAILS.get(event.name)
            if shopper_kind is not None and event.return_id is not None:
                connection.execute(
                    SHOPPER_FANOUT,
                    {**parameters, "kind": shopper_kind, "return_id": event.return_id},
                )
            staff_kind = STAFF_EMAILS.get(event.name)
            if staff_kind is not None:
                connection.execute(STAFF_FANOUT, {**parameters, "kind": staff_kind})

    # -- workers ----------------------------------------------------------------------------

    def claim(self, now: datetime, lease_until: datetime, worker: str, limit: int) -> list[Job]:
        """Lease up to `limit` due deliveries to `worker`; commit right after."""
        due = (
            select(DELIVERIES.c.id)
            .where(
                DELIVERIES.c.status == "pending",
                DELIVERIES.c.next_attempt_at <= now,
                or_(DELIVERIES.c.locked_until.is_(None), DELIVERIES.c.locked_until < now),
            )
            .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        leased = self.session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id.in_(due.scalar_subquery()))
            .values(locked_until=lease_until, locked_by=worker)
            .returning(DELIVERIES.c.id)
        )
        ids = [row[0] for row in leased]
        if not ids:
            return []
        rows = self.session.execute(
            select(
                DELIVERIES.c.id, DELIVERIES.c.store_id, DELIVERIES.c.channel, DELIVERIES.c.kind,
                DELIVERIES.c.recipient, DELIVERIES.c.subscription_id, DELIVERIES.c.attempts,
                Event.id, Event.name, Event.payload, Event.occurred_at, Event.return_id,
                Event.order_id, WebhookSubscription.secret,
            )
            .join(Event, Event.id == DELIVERIES.c.event_id)
            .outerjoin(
                WebhookSubscription, WebhookSubscription.id == DELIVERIES.c.subscription_id
            )
            .where(DELIVERIES.c.id.in_(ids))
            .order_by(DELIVERIES.c.id)
        )  # fmt: skip
        return [Job(*row) for row in rows]

    def finish(self, outcomes: Sequence[Outcome], worker: str, now: datetime) -> int:
        """Record attempts; a delivery whose lease this worker lost is left alone. Returns
        how many were recorded."""
        recorded = 0
        for outcome in outcomes:
            changed = (
                self.session.connection()
                .execute(
                    update(DELIVERIES)
                    .where(DELIVERIES.c.id == outcome.delivery_id, DELIVERIES.c.locked_by == worker)
                    .values(
                        status=outcome.status,
                        attempts=DELIVERIES.c.attempts + 1,
                        next_attempt_at=outcome.next_attempt_at or now,
                        locked_until=None,
                        locked_by="",
                        last_error=outcome.error,
                        last_status_code=outcome.status_code,
                        delivered_at=now if outcome.status == "delivered" else None,
                        message_id=outcome.message_id,
                        artifact=outcome.artifact,
                    )
                )
                .rowcount
            )
            if not changed:
                continue
            recorded += 1
            self.session.execute(
                insert(ATTEMPTS).values(
                    delivery_id=outcome.delivery_id,
                    store_id=select(DELIVERIES.c.store_id)
                    .where(DELIVERIES.c.id == outcome.delivery_id)
                    .scalar_subquery(),
                    attempted_at=now,
                    duration_ms=outcome.duration_ms,
                    is_success=outcome.is_success,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    response_excerpt=outcome.response_excerpt,
                    worker=worker,
                )
            )
        return recorded

    def replay(
        self,
        now: datetime,
        store_id: int | None = None,
        delivery_ids: Sequence[int] | None = None,
        since: datetime | None = None,
    ) -> int:
        """Put dead (or, when named by id, delivered) deliveries back in the queue."""
        conditions: list[ColumnElement[bool]] = []
        if delivery_ids is not None:
            conditions.append(DELIVERIES.c.id.in_(delivery_ids))
            conditions.append(DELIVERIES.c.status.in_(("dead", "delivered", "cancelled")))
        else:
            conditions.append(DELIVERIES.c.status == "dead")
        if store_id is not None:
            conditions.append(DELIVERIES.c.store_id == store_id)
        if since is not None:
            conditions.append(DELIVERIES.c.created_at >= since)
        result = self.session.connection().execute(
            update(DELIVERIES)
            .where(and_(*conditions))
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=now,
                locked_until=None,
                locked_by="",
            )
        )
        return int(result.rowcount)

    def cancel_pending(self, store_id: int, reason: str) -> int:
        """Withdraw every pending delivery of a store (e.g. the demo's seeded history)."""
        result = self.session.connection().execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.store_id == store_id, DELIVERIES.c.status == "pending")
            .values(status="cancelled", last_error=reason)
        )
        return int(result.rowcount)

    def pending_count(self) -> int:
        statement = select(func.count()).where(DELIVERIES.c.status == "pending")
        return int(self.session.execute(statement).scalar_one())
