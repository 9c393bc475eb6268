"""The event stream (timeline, and later the outbox) and stored idempotent responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_return", "return_id", "id"),
        Index("ix_events_order", "order_id", "id"),
        Index("ix_events_store", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    #: Dotted past-tense name, e.g. `return.approved`.
    name: Mapped[str] = mapped_column(String(64))
    #: Who did it: `api_key:<name>`, `staff:<email>`, `customer`, `system`.
    actor: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[datetime]
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyRecord(Base):
    """The response given to one Idempotency-Key, replayed when the same request comes again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
