"""Public JSON shapes of webhooks, their deliveries, and the events feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retour.web.api.schemas import EventPublic
from retour.webhooks.deliveries import DeliveryDetail, DeliveryView
from retour.webhooks.probe import ProbeResult
from retour.webhooks.subscriptions import Subscription, SubscriptionWithSecret

# Checked by the service, which names the field; the limits here only stop abuse.
Url = Annotated[str, Field(min_length=1, max_length=4000, description="http(s); https advised")]
EventTypes = Annotated[
    list[Annotated[str, Field(max_length=100)]],
    Field(min_length=1, max_length=100, description='event types, or ["*"] for all'),
]
Description = Annotated[str, Field(max_length=1000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WebhookCreate(_In):
    url: Url
    event_types: EventTypes
    description: Description = ""


class WebhookUpdate(_In):
    """Send only what changes. `active: true` re-enables a disabled subscription."""

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    active: bool | None = None


class WebhookPublic(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    disabled_at: datetime | None = Field(description="when it was switched off, if it is")
    disabled_reason: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_service(cls, subscription: Subscription) -> WebhookPublic:
        return cls(
            id=subscription.id,
            url=subscription.url,
            description=subscription.description,
            event_types=subscription.event_types,
            active=subscription.is_active,
            disabled_at=subscription.disabled_at,
            disabled_reason=subscription.disabled_reason,
            created_at=subscription.created_at,
            updated_at=subscription.updated_at,
        )


class WebhookWithSecret(WebhookPublic):
    secret: str = Field(description="`whsec_…`: shown only now; verify signatures with it")

    @classmethod
    def from_created(cls, created: SubscriptionWithSecret) -> WebhookWithSecret:
        public = WebhookPublic.from_service(created.subscription)
        return cls(**public.model_dump(), secret=created.secret)


class WebhookList(BaseModel):
    items: list[WebhookPublic]


class EventTypePublic(BaseModel):
    name: str
    description: str


class EventTypeList(BaseModel):
    items: list[EventTypePublic]


class DeliveryPublic(BaseModel):
    id: int
    event_id: int
    event_type: str
    status: str = Field(description="pending, delivered, dead (retries used up) or cancelled")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None = Field(description="when it is tried next, if pending")
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_service(cls, view: DeliveryView) -> DeliveryPublic:
        return cls(**view.__dict__)


class AttemptPublic(BaseModel):
    id: int
    attempted_at: datetime
    success: bool
    status_code: int | None
    duration_ms: int
    response_excerpt: str = Field(description="the first kilobyte of the receiver's answer")
    error: str


class DeliveryDetailPublic(DeliveryPublic):
    attempt_history: list[AttemptPublic] = Field(description="every attempt, oldest first")

    @classmethod
    def from_detail(cls, detail: DeliveryDetail) -> DeliveryDetailPublic:
        return cls(
            **detail.delivery.__dict__,
            attempt_history=[
                AttemptPublic(
                    id=attempt.id,
                    attempted_at=attempt.attempted_at,
                    success=attempt.is_success,
                    status_code=attempt.status_code,
                    duration_ms=attempt.duration_ms,
                    response_excerpt=attempt.response_excerpt,
                    error=attempt.error,
                )
                for attempt in detail.attempts
            ],
        )


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic]
    next_cursor: str | None


class ReplayResult(BaseModel):
    replayed: int = Field(description="deliveries queued to be sent again")


class WebhookTestResult(BaseModel):
    delivery_id: int
    success: bool
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str

    @classmethod
    def from_probe(cls, result: ProbeResult) -> WebhookTestResult:
        return cls(
            delivery_id=result.delivery_id,
            success=result.is_success,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_excerpt=result.response_excerpt,
            error=result.error,
        )


class EventPage(BaseModel):
    items: list[EventPublic]
    next_cursor: str | None
