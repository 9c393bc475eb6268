"""Products, variants (SKUs) and customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("store_id", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    handle: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    collection: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_returnable: Mapped[bool] = mapped_column(default=True)
    is_final_sale: Mapped[bool] = mapped_column(default=False)


class Variant(Base):
    __tablename__ = "variants"
    __table_args__ = (UniqueConstraint("store_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price: Mapped[int] = mapped_column(default=0)
    barcode: Mapped[str] = mapped_column(String(64), default="")
    weight_grams: Mapped[int] = mapped_column(default=0)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("store_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The shopper's language as the shop knows it (`fr`, `de-CH`); empty: the store's.
    locale: Mapped[str] = mapped_column(String(16), default="", server_default="")
    is_blocked: Mapped[bool] = mapped_column(default=False)
    is_vip: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
