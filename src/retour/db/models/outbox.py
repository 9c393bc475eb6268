"""The outbox: deliveries (one per e-mail or webhook to send) and their attempts, webhook
subscriptions, and the stores' notification switches and e-mail templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retour.db.base import Base


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    #: `whsec_` + base64 key (Standard Webhooks); shown once, when the subscription is made.
    secret: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    event_types: Mapped[list[WebhookSubscriptionEvent]] = relationship(
        order_by="WebhookSubscriptionEvent.event_type", cascade="all, delete-orphan"
    )


class WebhookSubscriptionEvent(Base):
    """One event type a subscription wants (`*` for all), so matching is a join."""

    __tablename__ = "webhook_subscription_events"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_type"),
        Index("ix_webhook_subscription_events_type", "event_type", "subscription_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_type: Mapped[str] = mapped_column(String(64))


class Delivery(Base):
    """One e-mail or webhook to send for one event; created in the event's transaction."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_at", "id"),
        Index("ix_deliveries_store", "store_id", "id"),
        Index("ix_deliveries_subscription", "subscription_id", "id"),
        Index("ix_deliveries_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    #: webhook or email.
    channel: Mapped[str] = mapped_column(String(16))
    #: The e-mail's template (e.g. `return_approved`), or the webhook's event type.
    kind: Mapped[str] = mapped_column(String(64))
    #: The e-mail address or the webhook URL, as it was when the event happened.
    recipient: Mapped[str] = mapped_column(String(2000))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    #: pending → delivered | dead (retries used up); cancelled when switched off meanwhile.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    #: A worker's lease: nobody else sends it until then (a crashed worker's lease lapses).
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str] = mapped_column(String(100), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_status_code: Mapped[int | None]
    #: E-mails: the Message-ID sent, and the `.eml` file when no SMTP server is configured.
    message_id: Mapped[str] = mapped_column(String(255), default="")
    artifact: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("ix_delivery_attempts_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    attempted_at: Mapped[datetime]
    duration_ms: Mapped[int]
    is_success: Mapped[bool]
    status_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text, default="")
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(100), default="")


class NotificationSetting(Base):
    """A notification the store switched off (or back on); absent means on."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("store_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[str] = mapped_column(String(64))
    is_enabled: Mapped[bool] = mapped_column(default=True)


class EmailTemplate(Base):
    """A merchant's own version of one e-mail in one language (else the built-in one)."""

    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("store_id", "kind", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
