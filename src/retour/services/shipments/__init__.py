"""Shipment use cases: labels and drop-off codes for returns, voiding, tracking, documents."""

from retour.services.shipments.accounts import (
    AccountChanges,
    CarrierAccountView,
    list_carrier_accounts,
    remove_carrier_account,
    set_carrier_account,
    store_carriers,
    store_default_carrier,
    switch_carrier_account,
)
from retour.services.shipments.common import IdempotencyKey, ShipmentOutcome
from retour.services.shipments.creating import ShipmentRequest, create_shipment
from retour.services.shipments.documents import packing_slip, shipment_document
from retour.services.shipments.queries import get_shipment, list_return_shipments
from retour.services.shipments.refreshing import Refreshed, refresh_shipments, shipments_to_refresh
from retour.services.shipments.settings import (
    ShippingSettings,
    shipping_settings,
    update_shipping_settings,
)
from retour.services.shipments.tracking import record_scans, refresh_tracking
from retour.services.shipments.views import ShipmentView
from retour.services.shipments.voiding import void_shipment
from retour.services.shipments.webhooks import (
    WebhookOutcome,
    WebhookSignatureRefused,
    receive_tracking_webhook,
)

__all__ = [
    "AccountChanges",
    "CarrierAccountView",
    "IdempotencyKey",
    "Refreshed",
    "ShipmentOutcome",
    "ShipmentRequest",
    "ShipmentView",
    "ShippingSettings",
    "WebhookOutcome",
    "WebhookSignatureRefused",
    "create_shipment",
    "get_shipment",
    "list_carrier_accounts",
    "list_return_shipments",
    "packing_slip",
    "receive_tracking_webhook",
    "record_scans",
    "refresh_shipments",
    "refresh_tracking",
    "remove_carrier_account",
    "set_carrier_account",
    "shipment_document",
    "shipments_to_refresh",
    "shipping_settings",
    "store_carriers",
    "store_default_carrier",
    "switch_carrier_account",
    "update_shipping_settings",
    "void_shipment",
]
