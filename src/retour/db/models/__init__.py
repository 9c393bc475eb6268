"""Every table, imported here so that `Base.metadata` knows them all."""

from retour.db.models.catalog import Customer, Product, Variant
from retour.db.models.events import Event, IdempotencyRecord
from retour.db.models.exchanges import ReplacementLineRow, ReplacementOrderRow
from retour.db.models.inventory import (
    InventoryLocation,
    InventoryMovement,
    ReturnRouteRow,
    StockLevel,
)
from retour.db.models.money import (
    RefundAllocationRow,
    RefundLineRow,
    RefundRow,
    StoreCreditAccount,
    StoreCreditEntry,
)
from retour.db.models.orders import Fulfilment, FulfilmentLine, OrderLineRow, OrderPayment, OrderRow
from retour.db.models.outbox import (
    Delivery,
    DeliveryAttempt,
    EmailTemplate,
    NotificationSetting,
    WebhookSubscription,
    WebhookSubscriptionEvent,
)
from retour.db.models.parcels import UnmatchedParcel
from retour.db.models.policy import PolicyVersion
from retour.db.models.portal import PortalLookupAttempt, ReturnPhoto
from retour.db.models.report_rollups import ReturnFact, ReturnLineFact, SalesDayTally
from retour.db.models.returns import InspectionRow, ReturnLineRow, ReturnRow
from retour.db.models.shipments import (
    CarrierAccountRow,
    CarrierWebhookRow,
    ShipmentDocumentRow,
    ShipmentParcelRow,
    ShipmentRow,
    TrackingEventRow,
)
from retour.db.models.staff import AuditEntry, ReturnNote, StaffPasswordReset, StaffSession
from retour.db.models.stores import ApiKey, ReturnReason, StaffUser, Store
from retour.db.models.tallies import ReturnStatusTally

__all__ = [
    "ApiKey",
    "AuditEntry",
    "CarrierAccountRow",
    "CarrierWebhookRow",
    "Customer",
    "Delivery",
    "DeliveryAttempt",
    "EmailTemplate",
    "Event",
    "Fulfilment",
    "FulfilmentLine",
    "IdempotencyRecord",
    "InspectionRow",
    "InventoryLocation",
    "InventoryMovement",
    "NotificationSetting",
    "OrderLineRow",
    "OrderPayment",
    "OrderRow",
    "PolicyVersion",
    "PortalLookupAttempt",
    "Product",
    "RefundAllocationRow",
    "RefundLineRow",
    "RefundRow",
    "ReplacementLineRow",
    "ReplacementOrderRow",
    "ReturnFact",
    "ReturnLineFact",
    "ReturnLineRow",
    "ReturnNote",
    "ReturnPhoto",
    "ReturnReason",
    "ReturnRouteRow",
    "ReturnRow",
    "ReturnStatusTally",
    "SalesDayTally",
    "ShipmentDocumentRow",
    "ShipmentParcelRow",
    "ShipmentRow",
    "StaffPasswordReset",
    "StaffSession",
    "StaffUser",
    "StockLevel",
    "Store",
    "StoreCreditAccount",
    "StoreCreditEntry",
    "TrackingEventRow",
    "UnmatchedParcel",
    "Variant",
    "WebhookSubscription",
    "WebhookSubscriptionEvent",
]
