"""The outbox's deliveries for workers: lease them, record their attempts, replay them.

Claiming reads due deliveries `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's writer lock
serialises it the same way) and leases them: a delivery leased to one worker is invisible to
the others until the lease lapses. How events become deliveries is outbox_fanout.py.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
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
    WebhookSubscription,
)
from retour.webhooks.event_types import TEST_EVENT

DELIVERIES = cast(Table, Delivery.__table__)
ATTEMPTS = cast(Table, DeliveryAttempt.__table__)
_NOW = bindparam("now", type_=UTCDateTime())


# Bind names differ from the columns': SQLAlchemy keeps those for the SET clause itself.
FINISH_DELIVERY = (
    update(DELIVERIES)
    .where(DELIVERIES.c.id == bindparam("delivery_id", type_=Integer()))
    .values(
        status=bindparam("set_status", type_=String()),
        attempts=DELIVERIES.c.attempts + 1,
        next_attempt_at=bindparam("set_next_at", type_=UTCDateTime()),
        locked_until=None,
        locked_by="",
        last_error=bindparam("set_error", type_=String()),
        last_status_code=bindparam("set_status_code", type_=Integer()),
        delivered_at=bindparam("set_delivered_at", type_=UTCDateTime()),
        message_id=bindparam("set_message_id", type_=String()),
        artifact=bindparam("set_artifact", type_=String()),
    )
)


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
    #: False once the subscription is disabled: what was queued before is not sent.
    webhook_active: bool | None = None


@dataclass(frozen=True)
class Outcome:
    """What one attempt did, and what happens to the delivery next."""

    delivery_id: int
    store_id: int
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


#: The e-mail server, or one webhook subscription: what a slow receiver can hold up.
Lane = tuple[str, int | None]


def lane_of(channel: str, subscription_id: int | None) -> Lane:
    return ("webhook", subscription_id) if channel == "webhook" else (channel, None)


class LaneRoom(Protocol):
    """How many more deliveries a worker takes per lane."""

    def room(self, lane: Lane) -> int: ...

    def full(self) -> Collection[Lane]:
        """The lanes with no room left."""
        ...


_IS_DUE = and_(
    DELIVERIES.c.status == "pending",
    DELIVERIES.c.next_attempt_at <= _NOW,
    or_(DELIVERIES.c.locked_until.is_(None), DELIVERIES.c.locked_until < _NOW),
)


def _outside(full: Collection[Lane]) -> list[ColumnElement[bool]]:
    subscriptions = [sid for channel, sid in full if channel == "webhook" and sid is not None]
    channels = [channel for channel, sid in full if channel != "webhook"]
    conditions: list[ColumnElement[bool]] = []
    if subscriptions:
        conditions.append(
            or_(
                DELIVERIES.c.subscription_id.is_(None),
                DELIVERIES.c.subscription_id.not_in(subscriptions),
            )
        )
    if channels:
        conditions.append(DELIVERIES.c.channel.not_in(channels))
    return conditions


def _within_room(candidates: Sequence[tuple[int, Lane]], lanes: LaneRoom | None) -> list[int]:
    """The candidates' ids, in order, leaving out each lane's excess over its room."""
    if lanes is None:
        return [delivery_id for delivery_id, _ in candidates]
    taken: dict[Lane, int] = {}
    ids = []
    for delivery_id, lane in candidates:
        if taken.get(lane, 0) < lanes.room(lane):
            taken[lane] = taken.get(lane, 0) + 1
            ids.append(delivery_id)
    return ids


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- workers ----------------------------------------------------------------------------

    def claim(
        self,
        now: datetime,
        lease_until: datetime,
        worker: str,
        limit: int,
        lanes: LaneRoom | None = None,
    ) -> list[Job]:
        """Lease up to `limit` due deliveries to `worker`; commit right after. With `lanes`,
        at most `lanes.room(lane)` of each lane; lanes with no room are not read at all, so
        the due deliveries of other lanes are claimed past a full one's backlog."""
        is_postgresql = self._lock_for_writing()
        due = (
            select(DELIVERIES.c.id, DELIVERIES.c.channel, DELIVERIES.c.subscription_id)
            .where(_IS_DUE)
            .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
            .limit(limit)
        )
        if is_postgresql:
            due = due.with_for_update(skip_locked=True)
        if lanes is not None:
            due = due.where(*_outside(lanes.full()))
        candidates = [
            (row[0], lane_of(row[1], row[2])) for row in self.session.execute(due, {"now": now})
        ]
        ids = _within_room(candidates, lanes)
        if not ids:
            return []
        leased = self.session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id.in_(ids), _IS_DUE)
            .values(locked_until=lease_until, locked_by=worker)
            .returning(DELIVERIES.c.id),
            {"now": now},
        )
        ids = [row[0] for row in leased]
        if not ids:
            return []
        rows = self.session.execute(
            select(
                DELIVERIES.c.id, DELIVERIES.c.store_id, DELIVERIES.c.channel, DELIVERIES.c.kind,
                DELIVERIES.c.recipient, DELIVERIES.c.subscription_id, DELIVERIES.c.attempts,
                Event.id, Event.name, Event.payload, Event.occurred_at, Event.return_id,
                Event.order_id, WebhookSubscription.secret, WebhookSubscription.is_active,
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
        how many were recorded. Three statements, however many outcomes."""
        if not outcomes:
            return 0
        held = select(DELIVERIES.c.id).where(
            DELIVERIES.c.id.in_([outcome.delivery_id for outcome in outcomes]),
            DELIVERIES.c.locked_by == worker,
        )
        if self._lock_for_writing():
            held = held.with_for_update()
        still_ours = set(self.session.execute(held).scalars())
        recorded = [outcome for outcome in outcomes if outcome.delivery_id in still_ours]
        if not recorded:
            return 0
        connection = self.session.connection()
        connection.execute(
            FINISH_DELIVERY,
            [
                {
                    "delivery_id": outcome.delivery_id,
                    "set_status": outcome.status,
                    "set_next_at": outcome.next_attempt_at or now,
                    "set_error": outcome.error,
                    "set_status_code": outcome.status_code,
                    "set_delivered_at": now if outcome.status == "delivered" else None,
                    "set_message_id": outcome.message_id,
                    "set_artifact": outcome.artifact,
                }
                for outcome in recorded
            ],
        )
        connection.execute(
            insert(ATTEMPTS),
            [
                {
                    "delivery_id": outcome.delivery_id,
                    "store_id": outcome.store_id,
                    "attempted_at": now,
                    "duration_ms": outcome.duration_ms,
                    "is_success": outcome.is_success,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "response_excerpt": outcome.response_excerpt,
                    "worker": worker,
                }
                for outcome in recorded
            ],
        )
        return len(recorded)

    def release(self, delivery_ids: Sequence[int], worker: str) -> int:
        """End `worker`'s leases on deliveries it did not send: due again for anyone."""
        result = self.session.connection().execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id.in_(delivery_ids), DELIVERIES.c.locked_by == worker)
            .values(locked_until=None, locked_by="")
        )
        return int(result.rowcount)

    def _lock_for_writing(self) -> bool:
        """True on PostgreSQL, where the caller locks the rows it reads (FOR UPDATE). SQLite
        has no row locks: a no-op write takes the writer lock before anything is read, so
        that reading and then writing cannot fail on a snapshot another writer moved on."""
        if self.session.get_bind().dialect.name == "postgresql":
            return True
        self.session.execute(update(DELIVERIES).where(DELIVERIES.c.id == -1).values(id=-1))
        return False

    def replay(
        self,
        now: datetime,
        store_id: int | None = None,
        delivery_ids: Sequence[int] | None = None,
        since: datetime | None = None,
    ) -> int:
        """Put dead (or, when named by id, delivered and cancelled) deliveries back in the
        queue. Never test-sends, nor webhooks of a disabled subscription; a webhook goes to
        the URL its subscription has now."""
        conditions: list[ColumnElement[bool]] = [
            DELIVERIES.c.kind != TEST_EVENT,
            or_(
                DELIVERIES.c.channel != "webhook",
                DELIVERIES.c.subscription_id.in_(
                    select(WebhookSubscription.id).where(WebhookSubscription.is_active.is_(True))
                ),
            ),
        ]
        if delivery_ids is not None:
            conditions.append(DELIVERIES.c.id.in_(delivery_ids))
            conditions.append(DELIVERIES.c.status.in_(("dead", "delivered", "cancelled")))
        else:
            conditions.append(DELIVERIES.c.status == "dead")
        if store_id is not None:
            conditions.append(DELIVERIES.c.store_id == store_id)
        if since is not None:
            conditions.append(DELIVERIES.c.created_at >= since)
        current_url = (
            select(WebhookSubscription.url)
            .where(WebhookSubscription.id == DELIVERIES.c.subscription_id)
            .scalar_subquery()
        )
        result = self.session.connection().execute(
            update(DELIVERIES)
            .where(and_(*conditions))
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=now,
                locked_until=None,
                locked_by="",
                recipient=case(
                    (
                        DELIVERIES.c.channel == "webhook",
                        func.coalesce(current_url, DELIVERIES.c.recipient),
                    ),
                    else_=DELIVERIES.c.recipient,
                ),
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
