"""Orders imported from the shop platform, with lines, payments and fulfilments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retour.db.base import Base


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("store_id", "platform_order_id"),
        Index("ix_orders_store_number", "store_id", "number"),
        Index("ix_orders_store_email", "store_id", "customer_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    platform_order_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    customer_email: Mapped[str] = mapped_column(String(254))
    currency: Mapped[str] = mapped_column(String(3))
    placed_at: Mapped[datetime]
    shipping_amount: Mapped[int] = mapped_column(default=0)
    shipping_tax: Mapped[int] = mapped_column(default=0)
    is_gift: Mapped[bool] = mapped_column(default=False)
    #: Printed on the gift receipt: with the order number, it lets the recipient return a gift.
    gift_receipt_code: Mapped[str] = mapped_column(String(64), default="", server_default="")
    shipping_postal_code: Mapped[str] = mapped_column(String(32), default="")
    shipping_country: Mapped[str] = mapped_column(String(2), default="")
    # The rest of the shipping address (optional on import): where a return label's parcel
    # comes from unless the shopper gives another address.
    shipping_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    shipping_company: Mapped[str] = mapped_column(String(200), default="", server_default="")
    shipping_line1: Mapped[str] = mapped_column(String(200), default="", server_default="")
    shipping_line2: Mapped[str] = mapped_column(String(200), default="", server_default="")
    shipping_city: Mapped[str] = mapped_column(String(100), default="", server_default="")
    shipping_region: Mapped[str] = mapped_column(String(100), default="", server_default="")
    shipping_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    #: SHA-256 of the last imported payload: importing the same order again changes nothing.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[OrderLineRow]] = relationship(
        order_by="OrderLineRow.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[OrderPayment]] = relationship(
        order_by="OrderPayment.id", cascade="all, delete-orphan"
    )
    fulfilments: Mapped[list[Fulfilment]] = relationship(
        order_by="Fulfilment.id", cascade="all, delete-orphan"
    )


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "platform_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    platform_line_id: Mapped[str] = mapped_column(String(100))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"), index=True)
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int]
    #: Price of one unit before any discount, in minor units.
    unit_price: Mapped[int]
    #: Discount on the whole line (all units), in minor units.
    line_discount: Mapped[int] = mapped_column(default=0)
    #: This line's share of order-level discounts (all units), in minor units.
    order_discount_allocated: Mapped[int] = mapped_column(default=0)
    #: Tax charged on the whole line, in minor units.
    tax: Mapped[int] = mapped_column(default=0)


class OrderPayment(Base):
    __tablename__ = "order_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    platform_payment_id: Mapped[str] = mapped_column(String(100))
    gateway: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))


class Fulfilment(Base):
    __tablename__ = "fulfilments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    platform_fulfilment_id: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    lines: Mapped[list[FulfilmentLine]] = relationship(
        order_by="FulfilmentLine.id", cascade="all, delete-orphan"
    )


class FulfilmentLine(Base):
    __tablename__ = "fulfilment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilments.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
