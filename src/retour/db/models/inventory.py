"""Inventory: locations, stock levels per SKU, location and bucket, and the movement ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class InventoryLocation(Base):
    __tablename__ = "inventory_locations"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    #: Where returns are sent unless said otherwise.
    is_default: Mapped[bool] = mapped_column(default=False)

    # The return address printed on labels (domain/addresses.py; empty until the store sets
    # it with PATCH /settings/shipping).
    address_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address_company: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address_city: Mapped[str] = mapped_column(String(100), default="", server_default="")
    address_region: Mapped[str] = mapped_column(String(100), default="", server_default="")
    address_postal_code: Mapped[str] = mapped_column(String(16), default="", server_default="")
    address_country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    address_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")


class ReturnRouteRow(Base):
    """One of a store's ordered routing rules (domain/routing.py): the first that matches a
    return sends it to its location."""

    __tablename__ = "return_routes"
    __table_args__ = (UniqueConstraint("store_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    position: Mapped[int]
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"))
    #: `country` or `product_tag`.
    match: Mapped[str] = mapped_column(String(20))
    values: Mapped[list[str]] = mapped_column(JSON)


class StockLevel(Base):
    """Units on hand for one variant, location and bucket: the sum of its movements."""

    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("variant_id", "location_id", "bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"))
    bucket: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(default=0)


class InventoryMovement(Base):
    __tablename__ = "inventory_movements"
    __table_args__ = (
        Index("ix_inventory_movements_store_id", "store_id", "id"),
        Index("ix_inventory_movements_variant", "variant_id", "location_id", "bucket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"))
    bucket: Mapped[str] = mapped_column(String(16))
    #: Signed change in units.
    quantity: Mapped[int]
    #: The event name that caused it, e.g. `return.inspected`.
    cause: Mapped[str] = mapped_column(String(64))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"), index=True)
    return_line_id: Mapped[int | None] = mapped_column(ForeignKey("return_lines.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime]
