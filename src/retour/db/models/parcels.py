"""Parcels the warehouse received that no return expects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class UnmatchedParcel(Base):
    __tablename__ = "unmatched_parcels"
    __table_args__ = (
        Index("ix_unmatched_parcels_store", "store_id", "status", "id"),
        Index("ix_unmatched_parcels_tracking", "store_id", "tracking_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    carrier: Mapped[str] = mapped_column(String(50), default="")
    #: Whatever the label or the contents say of who sent it.
    sender: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    #: open → closed (matched to a return, or dealt with otherwise).
    status: Mapped[str] = mapped_column(String(16), default="open")
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]
    received_by: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime | None]
