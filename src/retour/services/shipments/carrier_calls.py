"""Calls to a carrier, made outside any transaction, their failures in the API's terms."""

from __future__ import annotations

from collections.abc import Sequence

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
    ParcelLabel,
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


def void_at_carrier(carrier: Carrier, shipment: ShipmentRow, labels: Sequence[ParcelLabel]) -> None:
    """Void each of the shipment's labels (one, or one per parcel labelled apart)."""
    try:
        for label in labels:
            carrier.void_label(label.tracking_number, label.carrier_reference)
    except CarrierRefused as refusal:
        raise CarrierRefusedShipment(carrier.name, shipment.id, refusal.reason) from refusal
    except CarrierUnavailable as error:
        raise CarrierDown(carrier.name, shipment.id) from error


def fetch_scans(
    carrier: Carrier, shipment: ShipmentRow, labels: Sequence[ParcelLabel]
) -> list[Scan]:
    """Every parcel's scans, oldest first."""
    try:
        scans = [
            scan
            for label in labels
            for scan in carrier.fetch_tracking(label.tracking_number, label.carrier_reference)
        ]
    except CarrierRefused as refusal:
        raise CarrierRefusedShipment(carrier.name, shipment.id, refusal.reason) from refusal
    except CarrierUnavailable as error:
        raise CarrierDown(carrier.name, shipment.id) from error
    return sorted(scans, key=lambda scan: scan.occurred_at)
