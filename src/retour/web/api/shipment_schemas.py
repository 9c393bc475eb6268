"""JSON shapes of shipments, addresses and the shipping settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from retour.domain.addresses import MAX_LENGTHS, Address
from retour.domain.shipments import LabelStatus, ShipmentMethod, ShipmentStatus
from retour.services.shipments import ShipmentView, ShippingSettings
from retour.services.shipments.creating import MAX_PARCELS
from retour.services.shipments.settings import MAX_LABEL_EXPIRY_DAYS

#: Where each document is downloaded, by kind.
DOCUMENT_PATHS = {"label_pdf": "label.pdf", "label_zpl": "label.zpl", "qr_png": "qr.png"}


def _text(name: str) -> Any:
    return Field("", max_length=MAX_LENGTHS[name])


class AddressBody(BaseModel):
    """Checked per country when used: name, line1, city and country (ISO 3166-1 alpha-2)
    always; the postal code in the country's format where Retour knows it; the state or
    province (ISO 3166-2, e.g. `NY`) in the US, Canada and Australia."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = _text("name")
    company: str = _text("company")
    line1: str = _text("line1")
    line2: str = _text("line2")
    city: str = _text("city")
    region: str = _text("region")
    postal_code: str = _text("postal_code")
    country: str = _text("country")
    phone: str = _text("phone")

    def to_domain(self) -> Address:
        return Address(**self.model_dump())


class AddressPublic(BaseModel):
    name: str
    company: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> AddressPublic:
        return cls(**Address.from_dict(values).as_dict())


class ShipmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: ShipmentMethod = Field(
        description="prepaid_label: a label to print; qr_drop_off: a code to show at a "
        "drop-off point (the label is made too, for the drop-off point to print)"
    )
    parcels: Annotated[int, Field(ge=1, le=MAX_PARCELS)] = 1
    from_address: AddressBody | None = Field(
        None, description="where the parcel leaves from; default: the order's shipping address"
    )


class ShipmentVoid(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(max_length=1000)] = ""


class TrackingEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: ShipmentStatus
    occurred_at: datetime
    location: str
    description: str
    carrier_event_id: str


class ShipmentPublic(BaseModel):
    id: int
    return_id: int
    number: str = Field(description="the return's RMA number")
    carrier: str
    service: str
    method: ShipmentMethod
    parcels: int
    tracking_number: str
    tracking_numbers: list[str] = Field(
        description="every parcel's own tracking number, in order, when each parcel has one "
        "(EasyPost labels of several parcels); else the one tracking number"
    )
    status: ShipmentStatus
    label_status: LabelStatus
    label_error: str
    label_available: bool
    label_unavailable_reason: str | None = Field(
        description="pending, failed, voided or expired when the label cannot be printed"
    )
    label_formats: list[str]
    documents: dict[str, str] = Field(description="download paths by format")
    label_cost: int
    currency: str
    qr_payload: str
    from_address: AddressPublic
    to_address: AddressPublic
    created_at: datetime
    expires_at: datetime
    voided_at: datetime | None
    tracking_events: list[TrackingEventPublic]

    @classmethod
    def from_view(cls, view: ShipmentView) -> ShipmentPublic:
        shipment = view.shipment
        return cls(
            id=shipment.id,
            return_id=shipment.return_id,
            number=view.rma_number,
            carrier=shipment.carrier,
            service=shipment.service,
            method=ShipmentMethod(shipment.method),
            parcels=shipment.parcels,
            tracking_number=shipment.tracking_number,
            tracking_numbers=list(view.tracking_numbers),
            status=ShipmentStatus(shipment.status),
            label_status=LabelStatus(shipment.label_status),
            label_error=shipment.label_error,
            label_available=view.label_unavailable is None,
            label_unavailable_reason=view.label_unavailable,
            label_formats=list(shipment.label_formats),
            documents={
                kind: f"/api/v1/shipments/{shipment.id}/{DOCUMENT_PATHS[kind]}"
                for kind in shipment.label_formats
                if view.label_unavailable is None
            },
            label_cost=shipment.label_cost,
            currency=shipment.currency,
            qr_payload=shipment.qr_payload,
            from_address=AddressPublic.from_values(shipment.from_address),
            to_address=AddressPublic.from_values(shipment.to_address),
            created_at=shipment.created_at,
            expires_at=shipment.expires_at,
            voided_at=shipment.voided_at,
            tracking_events=[
                TrackingEventPublic.model_validate(event) for event in view.tracking_events
            ],
        )


class ShipmentList(BaseModel):
    items: list[ShipmentPublic]


class ShippingSettingsPublic(BaseModel):
    return_address: AddressPublic
    label_expiry_days: int

    @classmethod
    def from_service(cls, settings: ShippingSettings) -> ShippingSettingsPublic:
        return cls(
            return_address=AddressPublic(**settings.return_address.as_dict()),
            label_expiry_days=settings.label_expiry_days,
        )


class ShippingSettingsUpdate(BaseModel):
    """Send only what changes; a return address is sent whole."""

    model_config = ConfigDict(extra="forbid")

    return_address: AddressBody | None = None
    label_expiry_days: Annotated[int, Field(ge=1, le=MAX_LABEL_EXPIRY_DAYS)] | None = None
