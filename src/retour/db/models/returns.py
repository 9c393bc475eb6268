"""Returns (RMAs), their lines and the inspection verdicts on those lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retour.db.base import Base


class ReturnRow(Base):
    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("store_id", "number"),
        Index("ix_returns_store_status", "store_id", "status", "id"),
        Index("ix_returns_store_created", "store_id", "created_at"),
        Index("ix_returns_store_email", "store_id", "customer_email"),
        Index("ix_returns_order", "order_id"),
        Index("ix_returns_expiry", "status", "expires_at"),
        # The back office's search and "needs attention" filters.
        Index("ix_returns_store_tracking", "store_id", "tracking_number"),
        Index("ix_returns_store_refund_status", "store_id", "refund_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    number: Mapped[str] = mapped_column(String(32))
    customer_email: Mapped[str] = mapped_column(String(254))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    resolution: Mapped[str] = mapped_column(String(32))
    return_method: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"))
    customer_note: Mapped[str] = mapped_column(Text, default="")
    staff_message: Mapped[str] = mapped_column(Text, default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    carrier: Mapped[str] = mapped_column(String(64), default="")
    approved_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    #: When the carrier delivered the parcel at the warehouse (shown as arrived).
    arrived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: none, pending, failed, partially_refunded or refunded; kept by the refund use cases.
    refund_status: Mapped[str] = mapped_column(String(24), default="none", server_default="none")
    #: The store's policy version it was decided under; None: the store had no policy.
    policy_version: Mapped[int | None]
    #: What the policy engine decided when it was requested (docs/policy.md, "Creating a
    #: return"): the decision, the risk, each line's findings, fees and any staff override.
    policy_decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    risk_score: Mapped[int | None]
    #: Days the return window still had when it was requested (its lines' fewest), for the
    #: near-window-end risk signal of later returns.
    window_days_left: Mapped[int | None]
    #: Optimistic lock: a write that read an older version fails instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[ReturnLineRow]] = relationship(
        order_by="ReturnLineRow.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class ReturnLineRow(Base):
    __tablename__ = "return_lines"
    #: The search box's SKU look-up, answered from the index alone.
    __table_args__ = (Index("ix_return_lines_store_sku_return", "store_id", "sku", "return_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"))
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    reason_code: Mapped[str] = mapped_column(String(64))
    reason_note: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(String(32))
    requested_quantity: Mapped[int]
    approved_quantity: Mapped[int] = mapped_column(default=0)
    received_quantity: Mapped[int] = mapped_column(default=0)
    wrong_item_quantity: Mapped[int] = mapped_column(default=0)
    is_unexpected: Mapped[bool] = mapped_column(default=False)

    inspections: Mapped[list[InspectionRow]] = relationship(
        order_by="InspectionRow.id", cascade="all, delete-orphan"
    )


class InspectionRow(Base):
    __tablename__ = "return_line_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_line_id: Mapped[int] = mapped_column(ForeignKey("return_lines.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    quantity: Mapped[int]
    is_accepted: Mapped[bool]
    grade: Mapped[str] = mapped_column(String(1))
    disposition: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    inspected_at: Mapped[datetime]
    is_wrong_item: Mapped[bool] = mapped_column(default=False, server_default=false())
    arrived_sku: Mapped[str] = mapped_column(String(64), default="", server_default="")
