"""What the shopper portal keeps: its order look-up tries, which it rate-limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class PortalLookupAttempt(Base):
    """One try at finding an order in the portal; failed ones count against the limits."""

    __tablename__ = "portal_lookup_attempts"
    __table_args__ = (
        Index("ix_portal_lookup_attempts_client", "store_id", "client_key", "attempted_at"),
        Index("ix_portal_lookup_attempts_order", "store_id", "order_key", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    #: A hash of the client's address: the limit per client.
    client_key: Mapped[str] = mapped_column(String(64))
    #: A hash of the order number as typed (normalised): the limit per order.
    order_key: Mapped[str] = mapped_column(String(64))
    is_success: Mapped[bool] = mapped_column(default=False)
    attempted_at: Mapped[datetime]


class ReturnPhoto(Base):
    """A photo a shopper sent with an item: checked, re-encoded without its metadata, kept
    under the data dir; attached to the return line once the return is made."""

    __tablename__ = "return_photos"
    __table_args__ = (Index("ix_return_photos_order", "store_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    #: Set when the return is made; until then the photo belongs to the order's session only.
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"), index=True)
    #: What the portal's URLs name it by (random, unguessable).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: Relative to the data dir.
    path: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    created_at: Mapped[datetime]
    #: `customer` (sent from the portal), or the staff member who took it at the station.
    taken_by: Mapped[str] = mapped_column(
        String(300), default="customer", server_default="customer"
    )
    #: Which unit of the line the warehouse photographed (1, 2, …); None: the line as a whole.
    unit: Mapped[int | None] = mapped_column(default=None)
