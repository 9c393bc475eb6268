"""The files staff and shoppers print: a shipment's label (PDF, ZPL), its drop-off QR code,
and a return's packing slip."""

from __future__ import annotations

from datetime import datetime

from retour.db.repositories.shipments import location_address, order_address
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address
from retour.domain.errors import IllegalTransition
from retour.domain.lines import ReturnMethod
from retour.domain.shipments import LabelStatus, ShipmentStatus, label_unavailable_because
from retour.domain.statuses import RELEASED_STATUSES
from retour.services.errors import NotFound
from retour.services.returns.common import load_return
from retour.services.shipments.common import load_shipment
from retour.services.shipments.errors import LabelUnavailable
from retour.shipping.base import DocumentKind
from retour.shipping.packing_slip import PackingSlip, SlipLine, packing_slip_pdf

_NAMES = {
    DocumentKind.LABEL_PDF: "label",
    DocumentKind.LABEL_ZPL: "label",
    DocumentKind.QR_PNG: "QR drop-off code",
}


def shipment_document(
    uow: UnitOfWork, store_id: int, shipment_id: int, kind: DocumentKind, now: datetime
) -> bytes:
    """The file, while the label can be used: `409 label_unavailable` when it is pending,
    failed, voided or expired; `404` when the shipment has none of this kind (a QR code of
    a prepaid label)."""
    with uow:
        shipment = load_shipment(uow, store_id, shipment_id)
        unavailable = label_unavailable_because(
            LabelStatus(shipment.label_status),
            ShipmentStatus(shipment.status),
            shipment.expires_at,
            now,
        )
        if unavailable is not None:
            raise LabelUnavailable(shipment_id, unavailable)
        content = uow.shipments.document(store_id, shipment_id, kind.value)
    if content is None:
        raise NotFound(_NAMES[kind], shipment_id)
    return content


def packing_slip(uow: UnitOfWork, store_id: int, return_id: int, now: datetime) -> bytes:
    """The slip that goes in the parcel: the RMA number as Code 128 and the approved lines,
    with the addresses of the return's label (else the order's and the return location's).

    For returns approved and still expected or being handled; not for keep-item returns,
    nor rejected, cancelled or expired ones (`409 illegal_transition`).
    """
    with uow:
        ret = load_return(uow, store_id, return_id, for_update=False)
        if (
            ret.approved_at is None
            or ret.status in RELEASED_STATUSES
            or ret.return_method is ReturnMethod.KEEP_ITEM
        ):
            state = "a keep-item return" if ret.return_method is ReturnMethod.KEEP_ITEM else None
            raise IllegalTransition("print a packing slip for", state or ret.status.value)
        store = uow.stores.get(store_id)
        order = uow.shipments.order(store_id, ret.order_id)
        if store is None or order is None:
            raise NotFound("return", return_id)
        live = uow.shipments.live_shipment(store_id, return_id, now)
        if live is not None:
            # The addresses its label carries.
            from_address = Address.from_dict(live.from_address)
            to_address = Address.from_dict(live.to_address)
        else:
            location = uow.shipments.return_location(store_id, return_id)
            from_address = order_address(order)
            to_address = location_address(location) if location is not None else Address()
        slip = PackingSlip(
            rma_number=ret.number,
            order_number=order.number,
            store_name=store.name,
            customer_email=ret.customer_email,
            approved_on=ret.approved_at.date(),
            to_address=to_address,
            from_address=from_address,
            lines=[
                SlipLine(line.sku, line.title, line.approved_quantity, line.reason_code)
                for line in ret.lines
                if line.approved_quantity > 0 and not line.is_unexpected
            ],
        )
    return packing_slip_pdf(slip)
