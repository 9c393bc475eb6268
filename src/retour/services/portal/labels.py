"""The shopper's label or QR drop-off code for an approved return, made on their asking (once,
however often they ask) and downloaded from their return's page."""

from __future__ import annotations

from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import IllegalTransition
from retour.domain.lines import ReturnMethod
from retour.domain.shipments import ShipmentMethod
from retour.domain.statuses import ReturnStatus
from retour.services.context import Clock
from retour.services.errors import NotFound
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.status import PortalReturn, portal_return
from retour.services.portal.submitting import SHOPPER
from retour.services.shipments import (
    IdempotencyKey,
    ShipmentRequest,
    ShipmentView,
    create_shipment,
    list_return_shipments,
    shipment_document,
)
from retour.shipping.base import DocumentKind
from retour.shipping.registry import Carriers

#: The return methods whose parcel travels on the store's label or code.
SHIPMENT_METHODS = {
    ReturnMethod.PREPAID_LABEL: ShipmentMethod.PREPAID_LABEL,
    ReturnMethod.QR_DROP_OFF: ShipmentMethod.QR_DROP_OFF,
}
DOCUMENTS = {
    ShipmentMethod.PREPAID_LABEL: DocumentKind.LABEL_PDF,
    ShipmentMethod.QR_DROP_OFF: DocumentKind.QR_PNG,
}


def offers_label(view: PortalReturn) -> bool:
    """Approved, and sent back on the store's label or drop-off code."""
    return view.ret.status == ReturnStatus.APPROVED and view.ret.return_method in SHIPMENT_METHODS


def usable_shipments(
    uow: UnitOfWork, access: PortalAccess, view: PortalReturn, now: datetime
) -> list[ShipmentView]:
    """The return's labels and codes that can be used now (not voided, failed or expired)."""
    shipments = list_return_shipments(uow, access.store_id, view.return_id, now)
    return [shipment for shipment in shipments if shipment.label_unavailable is None]


def make_label(
    uow: UnitOfWork, carriers: Carriers, access: PortalAccess, number: str, clock: Clock
) -> ShipmentView:
    """The return's label or code; asked again, the same one (one per return)."""
    view = portal_return(uow, access, number)
    if not offers_label(view):
        raise IllegalTransition("make a label", view.ret.status.value)
    method = SHIPMENT_METHODS[view.ret.return_method]
    outcome = create_shipment(
        uow, carriers, access.store_id, view.return_id, ShipmentRequest(method), SHOPPER,
        clock, IdempotencyKey(f"portal-label:{view.return_id}", "portal-label"),
    )  # fmt: skip
    return outcome.view


def label_file(
    uow: UnitOfWork, access: PortalAccess, number: str, shipment_id: int, now: datetime
) -> tuple[bytes, DocumentKind]:
    """The label PDF or QR image of a shipment of the shopper's own return."""
    view = portal_return(uow, access, number)
    shipments = list_return_shipments(uow, access.store_id, view.return_id, now)
    shipment = next((s for s in shipments if s.shipment.id == shipment_id), None)
    if shipment is None:
        raise NotFound("shipment", shipment_id)
    kind = DOCUMENTS[ShipmentMethod(shipment.shipment.method)]
    return shipment_document(uow, access.store_id, shipment_id, kind, now), kind
