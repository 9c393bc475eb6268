"""Calls to a carrier, made outside any transaction, their failures in the API's terms."""

from __future__ import annotations

from retour.db.models import ShipmentRow
from retour.domain.addresses import Address
from retour.domain.shipments import Scan, ShipmentMethod
from retour.services.shipments.errors import CarrierDown, CarrierRefusedShipment
from retour.shipping.base import (
    Carrier,
    CarrierRefused,
    CarrierUnavailable,
    Label,
    LabelRequest,
)


def ask_for_label(
    carrier: Carrier, shipment: ShipmentRow, rma_number: str
) -> Label | CarrierRefused:
    """The label, or the carrier's refusal (to record); CarrierDown when it does not answer."""
    request = LabelRequest(
        shipment_id=shipment.id,
        rma_number=rma_number,
        method=ShipmentMethod(shipment.method),
        parcels=shipment.parcels,
        from_address=Address.from_dict(shipment.from_address),
        to_address=Address.from_dict(shipment.to_address),
        created_at=shipment.created_at,
        expires_at=shipment.expires_at,
    )
    try:
        return carrier.create_label(request)
    except CarrierRefused as refusal:
        return refusal
    except CarrierUnavailable as error:
        raise CarrierDown(carrier.name, shipment.id) from error


def void_at_carrier(carrier: Carrier, shipment: ShipmentRow, tracking_number: str) -> None:
    try:
        carrier.void_label(tracking_number, shipment.carrier_reference)
    except CarrierRefused as refusal:
        raise CarrierRefusedShipment(carrier.name, shipment.id, refusal.reason) from refusal
    except CarrierUnavailable as error:
        raise CarrierDown(carrier.name, shipment.id) from error


def fetch_scans(carrier: Carrier, shipment: ShipmentRow) -> list[Scan]:
    try:
        return carrier.fetch_tracking(shipment.tracking_number, shipment.carrier_reference)
    except CarrierRefused as refusal:
        raise CarrierRefusedShipment(carrier.name, shipment.id, refusal.reason) from refusal
    except CarrierUnavailable as error:
        raise CarrierDown(carrier.name, shipment.id) from error
