"""Scans of a shipment's parcel: stored once each, the shipment's status from the latest,
the return in transit from the first scan that says the carrier has the parcel, and shown as
arrived once the latest scan says delivered (at the warehouse: every label goes there).

Scans come from the carrier's tracking webhook (webhooks.py) or from asking it:
`refresh_tracking`, which `retour shipments refresh` runs for every parcel still on its way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from retour.db.models import ShipmentRow, TrackingEventRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.shipments import (
    CARRIER_HAS_IT,
    LabelStatus,
    Scan,
    ShipmentStatus,
    current_status,
)
from retour.domain.statuses import ReturnStatus
from retour.services.context import Actor, Clock
from retour.services.returns.common import load_return, save_return
from retour.services.shipments.accounts import store_carriers
from retour.services.shipments.carrier_calls import fetch_scans
from retour.services.shipments.common import load_shipment, parcel_labels
from retour.services.shipments.views import ShipmentView, view_of
from retour.shipping.registry import Carriers

TRACKING_EVENT = "shipment.tracking_updated"


def record_scans(
    uow: UnitOfWork,
    store_id: int,
    shipment_id: int,
    scans: Sequence[Scan],
    actor: Actor,
    now: datetime,
) -> ShipmentView:
    """Store the scans not seen before (by the carrier's event id) and move on from them."""
    return _record(uow, store_id, shipment_id, scans, actor, now)[0]


def apply_scans(
    uow: UnitOfWork, shipment: ShipmentRow, scans: Sequence[Scan], actor: Actor, now: datetime
) -> int:
    """In the caller's transaction, with the shipment locked: store the new scans (by the
    carrier's event id), and move the shipment and its return on; how many were new.

    An older scan arriving late is kept but never moves the status back; a voided shipment
    keeps its status and moves nothing. The first scan that puts the parcel in the carrier's
    hands moves an approved return to `in_transit` (`return.in_transit`, with this tracking
    number); a latest scan saying `delivered` shows it as arrived (`return.arrived`).
    """
    store_id = shipment.store_id
    stored = uow.shipments.tracking_events([shipment.id])
    seen = {event.carrier_event_id for event in stored}
    new: dict[str, Scan] = {}
    for scan in scans:
        if scan.carrier_event_id not in seen:
            new.setdefault(scan.carrier_event_id, scan)
    if not new:
        return 0
    uow.shipments.add_tracking_events(
        TrackingEventRow(
            shipment_id=shipment.id,
            store_id=store_id,
            carrier_event_id=scan.carrier_event_id,
            status=scan.status.value,
            occurred_at=scan.occurred_at,
            location=scan.location,
            description=scan.description,
            recorded_at=now,
        )
        for scan in new.values()
    )
    every_scan = [_as_scan(event) for event in stored] + list(new.values())
    latest = current_status(every_scan)
    is_voided = shipment.status == ShipmentStatus.VOIDED.value
    if latest is not None and not is_voided:
        shipment.status = latest.value
        shipment.updated_at = now
    uow.session.flush()
    ret = load_return(uow, store_id, shipment.return_id)
    uow.events.append(
        [DomainEvent(TRACKING_EVENT, _payload(shipment, ret.number, new.values()))],
        store_id=store_id,
        actor=str(actor),
        occurred_at=now,
        return_id=ret.id,
        order_id=ret.order_id,
    )
    if is_voided:
        return len(new)
    carrier_has_it = any(scan.status in CARRIER_HAS_IT for scan in new.values())
    if carrier_has_it and ret.status is ReturnStatus.APPROVED:
        ret.mark_in_transit(now, shipment.tracking_number, shipment.carrier)
    if latest is ShipmentStatus.DELIVERED and ret.is_awaiting_arrival():
        delivered_at = max(s.occurred_at for s in every_scan if s.status is latest)
        ret.mark_arrived(now, shipment.tracking_number, delivered_at)
    if ret.events:
        save_return(uow, ret, actor, now)
    return len(new)


def refresh_tracking(
    uow: UnitOfWork,
    carriers: Carriers,
    store_id: int,
    shipment_id: int,
    actor: Actor,
    clock: Clock,
) -> ShipmentView:
    """Ask the shipment's carrier for its scans and record the new ones."""
    return refresh_and_count(uow, carriers, store_id, shipment_id, actor, clock)[0]


def refresh_and_count(
    uow: UnitOfWork,
    carriers: Carriers,
    store_id: int,
    shipment_id: int,
    actor: Actor,
    clock: Clock,
) -> tuple[ShipmentView, int]:
    """`refresh_tracking`, and how many of the carrier's scans were new."""
    with uow:
        shipment = load_shipment(uow, store_id, shipment_id)
        if shipment.label_status != LabelStatus.ISSUED.value:
            return view_of(uow, shipment, clock.now()), 0
        labels = parcel_labels(uow, shipment)
    carrier = store_carriers(uow, carriers, store_id).get(shipment.carrier)
    scans = fetch_scans(carrier, shipment, labels)
    return _record(uow, store_id, shipment_id, scans, actor, clock.now())


def _record(
    uow: UnitOfWork,
    store_id: int,
    shipment_id: int,
    scans: Sequence[Scan],
    actor: Actor,
    now: datetime,
) -> tuple[ShipmentView, int]:
    with uow:
        shipment = load_shipment(uow, store_id, shipment_id, for_update=True)
        new = apply_scans(uow, shipment, scans, actor, now)
        if new:
            uow.commit()
        return view_of(uow, shipment, now), new


def _as_scan(event: TrackingEventRow) -> Scan:
    return Scan(
        carrier_event_id=event.carrier_event_id,
        status=ShipmentStatus(event.status),
        occurred_at=event.occurred_at,
        location=event.location,
        description=event.description,
    )


def _payload(shipment: ShipmentRow, number: str, scans: Iterable[Scan]) -> dict[str, object]:
    return {
        "number": number,
        "shipment_id": shipment.id,
        "tracking_number": shipment.tracking_number,
        "shipment_status": shipment.status,
        "scans": [
            {
                "status": scan.status.value,
                "occurred_at": scan.occurred_at.isoformat(),
                "location": scan.location,
                "description": scan.description,
            }
            for scan in sorted(scans, key=lambda scan: scan.occurred_at)
        ],
    }
