"""Return policies: every version of each store's policy document; the newest is live."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class PolicyVersion(Base):
    """One saved policy document; versions count from 1 per store and are never changed."""

    __tablename__ = "policy_versions"
    # The unique index also finds a store's live version (its highest) with one index probe.
    __table_args__ = (UniqueConstraint("store_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    version: Mapped[int]
    #: The document as it was sent (JSON Schema: domain/policy/policy.schema.json).
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    #: Who saved it, as the timeline names actors: `api_key:ops`, `staff:ann@x`, `cli:…`.
    created_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
