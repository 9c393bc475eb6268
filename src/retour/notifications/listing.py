"""The e-mails of a store, sent and pending, as the API lists them (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from retour.db.models import Delivery, DeliveryAttempt, Event
from retour.db.unit_of_work import UnitOfWork
from retour.domain.notifications import EMAIL_KINDS
from retour.services.errors import NotFound
from retour.services.queries import Page, decode_cursor, encode_cursor

DELIVERY_STATUSES = ("pending", "delivered", "dead", "cancelled")


@dataclass(frozen=True)
class EmailRecord:
    id: int
    kind: str
    audience: str
    recipient: str
    status: str
    attempts: int
    message_id: str
    eml_path: str
    last_error: str
    last_status_code: int | None
    event_id: int
    event_name: str
    return_id: int | None
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class AttemptRecord:
    attempted_at: datetime
    duration_ms: int
    is_success: bool
    status_code: int | None
    error: str
    response_excerpt: str
    worker: str


@dataclass(frozen=True)
class EmailFilter:
    status: str | None = None
    kind: str | None = None
    return_id: int | None = None


def list_emails(
    uow: UnitOfWork, store_id: int, where: EmailFilter, cursor: str | None, limit: int
) -> Page[EmailRecord]:
    """Newest first; pass `next_cursor` back for the next page."""
    statement = _emails(store_id)
    if where.status is not None:
        statement = statement.where(Delivery.status == where.status)
    if where.kind is not None:
        statement = statement.where(Delivery.kind == where.kind)
    if where.return_id is not None:
        statement = statement.where(Event.return_id == where.return_id)
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(Delivery.id < after)
    with uow:
        rows = uow.session.execute(statement.order_by(Delivery.id.desc()).limit(limit + 1)).all()
    records = [_record(row) for row in rows[:limit]]
    next_cursor = encode_cursor(records[-1].id) if len(rows) > limit else None
    return Page(records, next_cursor)


def get_email(
    uow: UnitOfWork, store_id: int, delivery_id: int
) -> tuple[EmailRecord, list[AttemptRecord]]:
    """One e-mail with every attempt to send it, oldest first."""
    with uow:
        row = uow.session.execute(_emails(store_id).where(Delivery.id == delivery_id)).first()
        if row is None:
            raise NotFound("e-mail", delivery_id)
        attempts = uow.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.id)
        ).all()
    return _record(row), [
        AttemptRecord(
            attempted_at=attempt.attempted_at,
            duration_ms=attempt.duration_ms,
            is_success=attempt.is_success,
            status_code=attempt.status_code,
            error=attempt.error,
            response_excerpt=attempt.response_excerpt,
            worker=attempt.worker,
        )
        for attempt in attempts
    ]


def resend_email(uow: UnitOfWork, store_id: int, delivery_id: int, now: datetime) -> EmailRecord:
    """Queue an e-mail to be sent again soon (dead, cancelled, or even delivered); one still
    pending is left as it is."""
    with uow:
        row = uow.session.execute(_emails(store_id).where(Delivery.id == delivery_id)).first()
        if row is None:
            raise NotFound("e-mail", delivery_id)
        if row[0].status != "pending":
            uow.outbox.replay(now, store_id=store_id, delivery_ids=[delivery_id])
            query = _emails(store_id).where(Delivery.id == delivery_id)
            row = uow.session.execute(query.execution_options(populate_existing=True)).one()
        uow.commit()
    return _record(row)


def eml_file(uow: UnitOfWork, store_id: int, delivery_id: int, data_dir: Path) -> Path:
    """The `.eml` file written for an e-mail (no SMTP server configured)."""
    record, _ = get_email(uow, store_id, delivery_id)
    mail_directory = (Path(data_dir) / "mail").resolve()
    path = Path(record.eml_path).resolve() if record.eml_path else None
    # The path comes from our own rows, but is checked anyway: only files under data_dir/mail.
    if path is None or not path.is_relative_to(mail_directory) or not path.is_file():
        raise NotFound("e-mail file", delivery_id)
    return path


def _emails(store_id: int) -> Select[Delivery, str, int | None]:
    return (
        select(Delivery, Event.name, Event.return_id)
        .join(Event, Event.id == Delivery.event_id)
        .where(Delivery.store_id == store_id, Delivery.channel == "email")
    )


def _record(row: Any) -> EmailRecord:
    delivery, event_name, return_id = row
    return EmailRecord(
        id=delivery.id,
        kind=delivery.kind,
        audience=EMAIL_KINDS[delivery.kind].value if delivery.kind in EMAIL_KINDS else "",
        recipient=delivery.recipient,
        status=delivery.status,
        attempts=delivery.attempts,
        message_id=delivery.message_id,
        eml_path=delivery.artifact,
        last_error=delivery.last_error,
        last_status_code=delivery.last_status_code,
        event_id=delivery.event_id,
        event_name=event_name,
        return_id=return_id,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at,
        delivered_at=delivery.delivered_at,
    )
