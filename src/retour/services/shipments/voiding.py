"""Void an unused label (to reissue it, create a new shipment). The carrier is told outside
any transaction, then the void is recorded with `shipment.voided`."""

from __future__ import annotations

from datetime import datetime

from retour.db.models import ShipmentRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.shipments import LabelStatus, ShipmentStatus, is_voidable
from retour.services.context import Actor, Clock
from retour.services.errors import AlreadyDone
from retour.services.idempotency import store_response, stored_response
from retour.services.shipments.accounts import store_carriers
from retour.services.shipments.carrier_calls import void_at_carrier
from retour.services.shipments.common import (
    IdempotencyKey,
    ShipmentOutcome,
    load_shipment,
    parcel_labels,
)
from retour.services.shipments.views import view_of
from retour.shipping.registry import Carriers

VOIDED_EVENT = "shipment.voided"


def void_shipment(
    uow: UnitOfWork,
    carriers: Carriers,
    store_id: int,
    shipment_id: int,
    actor: Actor,
    clock: Clock,
    reason: str = "",
    idempotency: IdempotencyKey | None = None,
) -> ShipmentOutcome:
    """Void a label nobody has scanned yet (a pending one too: it may never have been made).

    A voided or scanned shipment answers `409 already_done` naming its status.
    """
    with uow:
        replay = _replay(uow, store_id, idempotency, clock.now())
        if replay is not None:
            return replay
        shipment = load_shipment(uow, store_id, shipment_id)
        _check_voidable(shipment)
        labels = parcel_labels(uow, shipment)
    if shipment.label_status == LabelStatus.ISSUED.value:
        carrier = store_carriers(uow, carriers, store_id).get(shipment.carrier)
        void_at_carrier(carrier, shipment, labels)
    now = clock.now()
    with uow:
        shipment = load_shipment(uow, store_id, shipment_id, for_update=True)
        # A request with the same key may have voided it while the carrier was asked.
        replay = _replay(uow, store_id, idempotency, now)
        if replay is not None:
            return replay
        _check_voidable(shipment)
        shipment.status = ShipmentStatus.VOIDED.value
        shipment.voided_at = shipment.updated_at = now
        reference = uow.shipments.return_reference(store_id, shipment.return_id)
        number, order_id = reference if reference is not None else ("", None)
        uow.session.flush()
        uow.events.append(
            [DomainEvent(VOIDED_EVENT, _voided_payload(shipment, number, reason.strip()))],
            store_id=store_id,
            actor=str(actor),
            occurred_at=now,
            return_id=shipment.return_id,
            order_id=order_id,
        )
        if idempotency is not None:
            response = (200, {"shipment_id": shipment.id})
            store_response(uow, store_id, idempotency.key, idempotency.fingerprint, response, now)
        uow.commit()
        return ShipmentOutcome(view_of(uow, shipment, now), replayed=False)


def _replay(
    uow: UnitOfWork, store_id: int, idempotency: IdempotencyKey | None, now: datetime
) -> ShipmentOutcome | None:
    if idempotency is None:
        return None
    stored = stored_response(uow, store_id, idempotency.key, idempotency.fingerprint)
    if stored is None:
        return None
    shipment = load_shipment(uow, store_id, int(stored[1]["shipment_id"]))
    return ShipmentOutcome(view_of(uow, shipment, now), replayed=True)


def _check_voidable(shipment: ShipmentRow) -> None:
    status = ShipmentStatus(shipment.status)
    if status is ShipmentStatus.VOIDED:
        raise AlreadyDone(f"shipment {shipment.id} is voided already", current_status="voided")
    if not is_voidable(status):
        raise AlreadyDone(
            f"shipment {shipment.id} is {status.value}: a scanned parcel is on its way and "
            "its label cannot be voided",
            current_status=status.value,
        )


def _voided_payload(shipment: ShipmentRow, number: str, reason: str) -> dict[str, object]:
    return {
        "number": number,
        "shipment_id": shipment.id,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "label_status": shipment.label_status,
        "label_cost": shipment.label_cost,
        "currency": shipment.currency,
        "reason": reason,
    }
