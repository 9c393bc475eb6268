"""Webhook subscriptions of a store: create (the secret is shown once), read, change, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from retour.db.models import (
    Delivery,
    DeliveryAttempt,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.services.errors import NotFound
from retour.webhooks.addresses import RefusedTarget, Resolver, check_webhook_url, resolve_with_dns
from retour.webhooks.event_types import ALL_EVENTS, is_known_event_type
from retour.webhooks.signing import new_secret

MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: WebhookSubscription) -> Subscription:
        return cls(
            id=row.id,
            url=row.url,
            description=row.description,
            event_types=[item.event_type for item in row.event_types],
            is_active=row.is_active,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class SubscriptionWithSecret:
    """What creating a subscription or rotating its secret answers: the only time it shows."""

    subscription: Subscription
    secret: str


@dataclass(frozen=True)
class SubscriptionChanges:
    """PATCH: None leaves a field as it is."""

    url: str | None = None
    event_types: Sequence[str] | None = None
    description: str | None = None
    is_active: bool | None = None


@dataclass(frozen=True)
class UrlPolicy:
    """Whether private targets are allowed (the operator's setting), and how names resolve."""

    allow_private: bool
    resolve: Resolver = resolve_with_dns


def create_subscription(
    uow: UnitOfWork,
    store_id: int,
    url: str,
    event_types: Sequence[str],
    description: str,
    policy: UrlPolicy,
    now: datetime,
) -> SubscriptionWithSecret:
    """Subscribe `url` to the event types (`*` for all); the secret is returned this once."""
    checked_url = _checked_url(url, policy)
    names = _checked_event_types(event_types)
    secret = new_secret()
    with uow:
        row = WebhookSubscription(
            store_id=store_id,
            url=checked_url,
            description=_checked_description(description),
            secret=secret,
            is_active=True,
            disabled_reason="",
            created_at=now,
            updated_at=now,
            event_types=[WebhookSubscriptionEvent(event_type=name) for name in names],
        )
        uow.session.add(row)
        uow.commit()
        return SubscriptionWithSecret(Subscription.from_row(row), secret)


def list_subscriptions(uow: UnitOfWork, store_id: int) -> list[Subscription]:
    statement = (
        select(WebhookSubscription)
        .where(WebhookSubscription.store_id == store_id)
        .order_by(WebhookSubscription.id)
    )
    with uow:
        return [Subscription.from_row(row) for row in uow.session.scalars(statement)]


def get_subscription(uow: UnitOfWork, store_id: int, subscription_id: int) -> Subscription:
    with uow:
        return Subscription.from_row(load_subscription(uow, store_id, subscription_id))


def update_subscription(
    uow: UnitOfWork,
    store_id: int,
    subscription_id: int,
    changes: SubscriptionChanges,
    policy: UrlPolicy,
    now: datetime,
) -> Subscription:
    """Change what is given; every value is checked before anything is saved."""
    url = _checked_url(changes.url, policy) if changes.url is not None else None
    names = _checked_event_types(changes.event_types) if changes.event_types is not None else None
    description = (
        _checked_description(changes.description) if changes.description is not None else None
    )
    with uow:
        row = load_subscription(uow, store_id, subscription_id, for_update=True)
        if url is not None and url != row.url:
            row.url = url
            # Retries still to come go to the new address.
            _pending_deliveries(uow, row.id, recipient=url)
        if names is not None:
            kept = {item.event_type: item for item in row.event_types}
            row.event_types = [
                kept.get(name) or WebhookSubscriptionEvent(event_type=name) for name in names
            ]
        if description is not None:
            row.description = description
        if changes.is_active is True and not row.is_active:
            row.is_active, row.disabled_at, row.disabled_reason = True, None, ""
        elif changes.is_active is False and row.is_active:
            deactivate(uow, row, "disabled through the API", now)
        row.updated_at = now
        uow.commit()
        return Subscription.from_row(row)


def rotate_secret(
    uow: UnitOfWork, store_id: int, subscription_id: int, now: datetime
) -> SubscriptionWithSecret:
    """A new secret, used from the next attempt on; the old one stops working at once."""
    secret = new_secret()
    with uow:
        row = load_subscription(uow, store_id, subscription_id, for_update=True)
        row.secret, row.updated_at = secret, now
        uow.commit()
        return SubscriptionWithSecret(Subscription.from_row(row), secret)


def delete_subscription(uow: UnitOfWork, store_id: int, subscription_id: int) -> None:
    """The subscription goes with its deliveries and their attempts (the events stay)."""
    with uow:
        row = load_subscription(uow, store_id, subscription_id, for_update=True)
        its_deliveries = select(Delivery.id).where(Delivery.subscription_id == row.id)
        uow.session.execute(
            delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(its_deliveries))
        )
        uow.session.execute(delete(Delivery).where(Delivery.subscription_id == row.id))
        uow.session.delete(row)
        uow.commit()


def load_subscription(
    uow: UnitOfWork, store_id: int, subscription_id: int, for_update: bool = False
) -> WebhookSubscription:
    statement = select(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, WebhookSubscription.store_id == store_id
    )
    if for_update:
        statement = statement.with_for_update()
    row = uow.session.scalars(statement).one_or_none()
    if row is None:
        raise NotFound("webhook", subscription_id)
    return row


def deactivate(uow: UnitOfWork, row: WebhookSubscription, reason: str, now: datetime) -> None:
    """Stop sending: the subscription is off and its pending deliveries are cancelled (a
    bulk replay after re-enabling sends them)."""
    row.is_active, row.disabled_at, row.disabled_reason, row.updated_at = False, now, reason, now
    _pending_deliveries(uow, row.id, status="cancelled")


def _pending_deliveries(uow: UnitOfWork, subscription_id: int, **values: str) -> None:
    extra = {"locked_by": "", "locked_until": None} if "status" in values else {}
    uow.session.execute(
        update(Delivery)
        .where(Delivery.subscription_id == subscription_id, Delivery.status == "pending")
        .values(**values, **extra)
    )
    uow.session.flush()


def _checked_url(url: str, policy: UrlPolicy) -> str:
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRequest(f"at most {MAX_URL_LENGTH} characters", field="url")
    try:
        check_webhook_url(url, policy.allow_private, policy.resolve)
    except RefusedTarget as refused:
        raise InvalidRequest(refused.reason, field="url") from refused
    return url


def _checked_event_types(event_types: Sequence[str]) -> list[str]:
    names = [name.strip() for name in event_types]
    if not names:
        raise InvalidRequest("name at least one event type, or * for all", field="event_types")
    for index, name in enumerate(names):
        if not is_known_event_type(name):
            raise InvalidRequest(
                f"unknown event type {name!r} (see GET /api/v1/webhooks/event-types)",
                field=f"event_types[{index}]",
            )
    return [ALL_EVENTS] if ALL_EVENTS in names else sorted(set(names))


def _checked_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidRequest(f"at most {MAX_DESCRIPTION_LENGTH} characters", field="description")
    return description
