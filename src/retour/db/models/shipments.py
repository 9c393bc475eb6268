"""Shipments of returns (labels, drop-off codes), their documents and tracking events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class ShipmentRow(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        # One shipment per Idempotency-Key: a second request with it finds the first.
        UniqueConstraint("store_id", "idempotency_key"),
        Index("ix_shipments_return", "return_id", "id"),
        Index("ix_shipments_store_tracking", "store_id", "tracking_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    #: The carrier adapter's name (`builtin`) and its service (`standard`).
    carrier: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(64), default="")
    #: prepaid_label or qr_drop_off.
    method: Mapped[str] = mapped_column(String(16))
    parcels: Mapped[int] = mapped_column(default=1)
    tracking_number: Mapped[str] = mapped_column(String(64), default="")
    #: The carrier's own id for the shipment, to void it or ask for its tracking.
    carrier_reference: Mapped[str] = mapped_column(String(100), default="")
    #: Where the parcel is: pre_transit … delivered, exception, …, voided (domain/shipments.py).
    status: Mapped[str] = mapped_column(String(24))
    #: pending (recorded before the carrier is asked) → issued | failed.
    label_status: Mapped[str] = mapped_column(String(16))
    #: The carrier's reason when it refused, never a credential.
    label_error: Mapped[str] = mapped_column(Text, default="")
    #: The documents there are, e.g. ["label_pdf", "label_zpl", "qr_png"].
    label_formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What the label cost the merchant, in minor units of `currency`.
    label_cost: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    #: What the QR code (on the label, and the drop-off code) holds.
    qr_payload: Mapped[str] = mapped_column(String(200), default="")
    #: The addresses as printed on the label (domain/addresses.py Address fields).
    from_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    to_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: The label is not handed out after this (the store's label_expiry_days).
    expires_at: Mapped[datetime]
    voided_at: Mapped[datetime | None]


class ShipmentDocumentRow(Base):
    """A file the carrier gave for a shipment: the label PDF, its ZPL, the drop-off QR PNG."""

    __tablename__ = "shipment_documents"
    __table_args__ = (UniqueConstraint("shipment_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ShipmentParcelRow(Base):
    """One parcel of a shipment whose parcels each have their own tracking number (an
    EasyPost order). The shipment's `tracking_number` and `carrier_reference` are the first
    parcel's; shipments with one tracking number for all their parcels have no rows here."""

    __tablename__ = "shipment_parcels"
    __table_args__ = (
        UniqueConstraint("shipment_id", "position"),
        # A tracking webhook for any parcel finds its shipment.
        Index("ix_shipment_parcels_store_tracking", "store_id", "tracking_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    #: 1 … the shipment's `parcels`, as printed ("Parcel 2 of 3").
    position: Mapped[int]
    tracking_number: Mapped[str] = mapped_column(String(64))
    #: The carrier's own id for this parcel's label, to void it or ask for its tracking.
    carrier_reference: Mapped[str] = mapped_column(String(100), default="")


class TrackingEventRow(Base):
    """One scan of a shipment's parcel, as its carrier reported it (status normalised)."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        # The carrier's event id: the same scan reported twice is stored once.
        UniqueConstraint("shipment_id", "carrier_event_id"),
        Index("ix_tracking_events_shipment", "shipment_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    carrier_event_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime]


class CarrierAccountRow(Base):
    """A store's account with a carrier (EasyPost): its adapter is built from it. The API
    key and the webhook secret never leave the server: no answer, error or log shows them."""

    __tablename__ = "carrier_accounts"
    __table_args__ = (UniqueConstraint("store_id", "carrier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    carrier: Mapped[str] = mapped_column(String(32))
    api_key: Mapped[str] = mapped_column(Text)
    #: What the carrier signs its tracking webhooks with; empty: webhooks are refused.
    webhook_secret: Mapped[str] = mapped_column(Text, default="")
    #: The carrier's service to buy (e.g. `Priority`); empty: the lowest rate.
    service: Mapped[str] = mapped_column(String(64), default="")
    #: Off: the store's new labels are not bought here; its shipments bought here are still
    #: voided and tracked with it.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CarrierWebhookRow(Base):
    """A tracking webhook delivery taken in, by the carrier's id for it: a replay is ignored."""

    __tablename__ = "carrier_webhook_deliveries"
    __table_args__ = (UniqueConstraint("store_id", "carrier", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    carrier: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
