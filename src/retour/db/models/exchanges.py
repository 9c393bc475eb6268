"""Exchanges: the replacement order a return creates for the shop or WMS to fulfil."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retour.db.base import Base


class ReplacementOrderRow(Base):
    __tablename__ = "replacement_orders"
    __table_args__ = (
        Index("ix_replacement_orders_return", "return_id"),
        Index("ix_replacement_orders_store_status", "store_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    #: exchange (the shopper chose other items) or replacement (a merchant-fault claim).
    kind: Mapped[str] = mapped_column(String(16))
    #: draft (return not approved yet) → pending (stock reserved) → released (to the shop
    #: or WMS to fulfil) → shipped; or cancelled (reservation given back).
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    #: Value of the replacement items at their prices.
    items_amount: Mapped[int]
    #: Value of the returned units it is exchanged against.
    credit_amount: Mapped[int]
    #: Still owed by the shopper when the replacement costs more; never silently absorbed.
    balance_due: Mapped[int] = mapped_column(default=0)
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"))
    #: How the shopper paid `balance_due` (the shop's payment reference), once paid.
    balance_paid_reference: Mapped[str] = mapped_column(String(255), default="")
    #: The refund record that settled the returned units against this replacement.
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[ReplacementLineRow]] = relationship(
        order_by="ReplacementLineRow.id", cascade="all, delete-orphan"
    )


class ReplacementLineRow(Base):
    __tablename__ = "replacement_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    replacement_order_id: Mapped[int] = mapped_column(
        ForeignKey("replacement_orders.id"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id"))
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int]
    unit_price: Mapped[int]
