"""Shipment use cases: labels and drop-off codes for returns, voiding, tracking, documents."""

from retour.services.shipments.common import IdempotencyKey, ShipmentOutcome
from retour.services.shipments.creating import ShipmentRequest, create_shipment
from retour.services.shipments.documents import packing_slip, shipment_document
from retour.services.shipments.queries import get_shipment, list_return_shipments
from retour.services.shipments.settings import (
    ShippingSettings,
    shipping_settings,
    update_shipping_settings,
)
from retour.services.shipments.tracking import record_scans, refresh_tracking
from retour.services.shipments.views import ShipmentView
from retour.services.shipments.voiding import void_shipment

__all__ = [
    "IdempotencyKey",
    "ShipmentOutcome",
    "ShipmentRequest",
    "ShipmentView",
    "ShippingSettings",
    "create_shipment",
    "get_shipment",
    "list_return_shipments",
    "packing_slip",
    "record_scans",
    "refresh_tracking",
    "shipment_document",
    "shipping_settings",
    "update_shipping_settings",
    "void_shipment",
]
