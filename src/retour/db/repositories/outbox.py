"""The outbox: fan events out to deliveries (same transaction), and lease them to workers.

Fan-out is one INSERT … SELECT per audience, built once: webhook subscriptions that want the
event type, the shopper of the return, the store's staff. Claiming is one UPDATE … WHERE id IN
(SELECT … FOR UPDATE SKIP LOCKED) on PostgreSQL (SQLite's writer lock serialises it the same
way): a delivery leased to one worker is invisible to the others until the lease lapses.
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
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
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
from retour.webhooks.event_types import TEST_EVENT

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


def _fanout(channel: str, kind: Any, recipient: Any, subscription_id: Any) -> list[Any]:
    return [
        _STORE, _EVENT, literal(channel), kind,
        recipient, subscription_id, literal("pending"), literal(0), _NOW, literal(""),
        literal(""), literal(""), literal(""), _NOW,
    ]  # fmt: skip


def _switched_off(kind: Any) -> Any:
    return exists().where(
        NotificationSetting.store_id == _STORE,
        NotificationSetting.kind == kind,
        NotificationSetting.is_enabled.is_(False),
    )


def _webhook_audience() -> Select[Any]:
    """Active subscriptions that want the event type (`kind`)."""
    return (
        select(*_fanout("webhook", _KIND, WebhookSubscription.url, WebhookSubscription.id))
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
        .distinct()
    )


def _shopper_audience(kind: Any) -> Select[Any]:
    """The return's shopper, unless the store switched that e-mail off."""
    return select(*_fanout("email", kind, ReturnRow.customer_email, null())).where(
        ReturnRow.id == _RETURN, ~_switched_off(kind)
    )


def _staff_audience(kind: Any) -> Select[Any]:
    """The store's active owners, admins and agents, unless that e-mail is switched off."""
    return select(*_fanout("email", kind, StaffUser.email, null())).where(
        StaffUser.store_id == _STORE,
        StaffUser.is_active.is_(True),
        StaffUser.role.in_(STAFF_RECIPIENT_ROLES),
        ~_switched_off(kind),
    )


_SHOPPER_KIND = bindparam("shopper_kind", type_=String())
_STAFF_KIND = bindparam("staff_kind", type_=String())


def _fan_out_statement(to_shopper: bool, to_staff: bool) -> Any:
    audiences = [_webhook_audience()]
    if to_shopper:
        audiences.append(_shopper_audience(_SHOPPER_KIND))
    if to_staff:
        audiences.append(_staff_audience(_STAFF_KIND))
    rows = audiences[0] if len(audiences) == 1 else union_all(*audiences)
    return insert(DELIVERIES).from_select(_FANOUT_COLUMNS, rows)


#: One INSERT … SELECT per event, whoever it goes to (webhooks, the shopper, the staff),
#: built once for each mix of audiences.
FAN_OUT = {
    (to_shopper, to_staff): _fan_out_statement(to_shopper, to_staff)
    for to_shopper in (False, True)
    for to_staff in (False, True)
}
#: The staff alone, for one kind (`kind`): the daily digest.
STAFF_FANOUT = insert(DELIVERIES).from_select(_FANOUT_COLUMNS, _staff_audience(_KIND))


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

    # -- in the event's transaction ---------------------------------------------------------

    def fan_out(self, events: Sequence[StoredEvent], now: datetime) -> None:
        connection = self.session.connection()
        for event in events:
            shopper_kind = SHOPPER_EMAILS.get(event.name) if event.return_id is not None else None
            staff_kind = STAFF_EMAILS.get(event.name)
            statement = FAN_OUT[(shopper_kind is not None, staff_kind is not None)]
            connection.execute(
                statement,
                {
                    "store_id": event.store_id,
                    "event_id": event.id,
                    "now": now,
                    "kind": event.name,
                    "shopper_kind": shopper_kind,
                    "staff_kind": staff_kind,
                    "return_id": event.return_id,
                },
            )

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
