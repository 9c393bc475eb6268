"""Events become deliveries in their own transaction: one INSERT … SELECT per event, built
once for each mix of audiences — webhook subscriptions that want the event type, the shopper
of the return, the store's staff — so an event costs one statement whoever it goes to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    exists,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select

from retour.db.base import UTCDateTime
from retour.db.models import (
    Delivery,
    NotificationSetting,
    ReturnRow,
    StaffUser,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)
from retour.domain.notifications import SHOPPER_EMAILS, STAFF_EMAILS, STAFF_RECIPIENT_ROLES

DELIVERIES = cast(Table, Delivery.__table__)
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


@dataclass(frozen=True)
class StoredEvent:
    id: int
    store_id: int
    name: str
    return_id: int | None


def fan_out(connection: Connection, events: Sequence[StoredEvent], now: datetime) -> None:
    """The deliveries of `events`, in the caller's transaction."""
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
