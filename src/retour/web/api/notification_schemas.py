"""Public JSON shapes of e-mail notifications: templates, switches, and the e-mails sent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retour.notifications.editing import Switch, TemplateSummary, TemplateView
from retour.notifications.listing import AttemptRecord, EmailRecord
from retour.notifications.preview import Preview
from retour.notifications.templates import MAX_LENGTH

Subject = Annotated[str, Field(max_length=MAX_LENGTH["subject"])]
Html = Annotated[str, Field(max_length=MAX_LENGTH["html"])]
Text = Annotated[str, Field(max_length=MAX_LENGTH["text"])]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmailTemplateUpdate(_In):
    """Jinja templates, rendered in a sandbox; see docs/notifications.md for the variables."""

    subject: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["subject"])]
    html: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["html"])]
    text: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["text"])]


class EmailTemplateSummaryPublic(BaseModel):
    kind: str
    locale: str
    audience: str
    is_custom: bool
    updated_at: datetime | None

    @classmethod
    def from_summary(cls, summary: TemplateSummary) -> EmailTemplateSummaryPublic:
        return cls(
            kind=summary.kind,
            locale=summary.locale,
            audience=summary.audience.value,
            is_custom=summary.is_custom,
            updated_at=summary.updated_at,
        )


class EmailTemplateList(BaseModel):
    items: list[EmailTemplateSummaryPublic]


class EmailTemplatePublic(EmailTemplateSummaryPublic):
    subject: str
    html: str
    text: str

    @classmethod
    def from_view(cls, view: TemplateView) -> EmailTemplatePublic:
        return cls(
            kind=view.kind,
            locale=view.locale,
            audience=view.audience.value,
            is_custom=view.is_custom,
            updated_at=view.updated_at,
            subject=view.source.subject,
            html=view.source.html,
            text=view.source.text,
        )


class PreviewRequest(_In):
    """Preview a draft (the parts given; the others as stored) with a sample or a real return."""

    subject: Subject | None = None
    html: Html | None = None
    text: Text | None = None
    return_id: int | None = None


class PreviewPublic(BaseModel):
    kind: str
    locale: str
    subject: str
    html: str
    text: str
    undefined: list[str] = Field(
        description="variables the template uses that the context lacks (rendered as nothing)"
    )
    is_custom: bool
    return_id: int | None

    @classmethod
    def from_preview(cls, preview: Preview) -> PreviewPublic:
        return cls(**preview.__dict__)


class NotificationSwitchPublic(BaseModel):
    kind: str
    audience: str
    enabled: bool
    cancelled_pending: int = Field(
        0, description="e-mails of this kind still waiting that switching it off cancelled"
    )

    @classmethod
    def from_switch(cls, switch: Switch) -> NotificationSwitchPublic:
        return cls(
            kind=switch.kind,
            audience=switch.audience.value,
            enabled=switch.is_enabled,
            cancelled_pending=switch.cancelled_pending,
        )


class NotificationSwitchList(BaseModel):
    items: list[NotificationSwitchPublic]


class NotificationSwitchUpdate(_In):
    enabled: bool


class EmailPublic(BaseModel):
    id: int
    kind: str
    audience: str
    recipient: str
    status: str
    attempts: int
    message_id: str
    eml_path: str | None = Field(description="the .eml file written when no SMTP is set")
    eml_url: str | None
    last_error: str
    last_status_code: int | None
    event_id: int
    event_name: str
    return_id: int | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def from_record(cls, record: EmailRecord) -> EmailPublic:
        return cls(
            **{
                **record.__dict__,
                "eml_path": record.eml_path or None,
                "eml_url": f"/api/v1/notifications/{record.id}/eml" if record.eml_path else None,
                "next_attempt_at": record.next_attempt_at if record.status == "pending" else None,
            }
        )


class EmailPage(BaseModel):
    items: list[EmailPublic]
    next_cursor: str | None


class AttemptPublic(BaseModel):
    attempted_at: datetime
    duration_ms: int
    is_success: bool
    status_code: int | None
    error: str
    response_excerpt: str
    worker: str

    @classmethod
    def from_record(cls, record: AttemptRecord) -> AttemptPublic:
        return cls(**record.__dict__)


class EmailDetail(EmailPublic):
    attempt_log: list[AttemptPublic]
