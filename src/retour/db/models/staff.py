"""What the back office keeps about staff signing in, the notes staff leave on returns, and the
audit log of their changes to the store's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class StaffSession(Base):
    """One signed-in browser; only a hash of its cookie's token is kept."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    #: Set on sign-out (and when the password changes): the cookie no longer opens anything.
    ended_at: Mapped[datetime | None]


class StaffPasswordReset(Base):
    """A password-reset link sent by e-mail; single use, short-lived, only its hash kept."""

    __tablename__ = "staff_password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ReturnNote(Base):
    """An internal note on a return: staff only, never shown to the shopper or sent out."""

    __tablename__ = "return_notes"
    __table_args__ = (Index("ix_return_notes_return", "return_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    author: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditEntry(Base):
    """One change to the store's settings, written in the transaction of the change: who, when,
    which area (`staff`, `api_keys`, `policy`…), what (`added`, `changed`…), of what (a code,
    an e-mail, a version) and its details. Never a secret: keys and passwords are left out."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_store", "store_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(300))
    area: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
