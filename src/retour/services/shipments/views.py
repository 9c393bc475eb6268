"""A shipment as the API shows it: the row, its scans, and whether its label can be used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import ReturnRow, ShipmentRow, TrackingEventRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.shipments import LabelStatus, ShipmentStatus, label_unavailable_because


@dataclass(frozen=True)
class ShipmentView:
    shipment: ShipmentRow
    rma_number: str
    tracking_events: Sequence[TrackingEventRow]
    #: Why the label cannot be printed now (pending, failed, voided, expired), or None.
    label_unavailable: str | None
    #: Every parcel's tracking number (parcels labelled apart), else the shipment's one.
    tracking_numbers: tuple[str, ...] = ()


def tracking_numbers_of(shipment: ShipmentRow, parcel_numbers: Sequence[str]) -> tuple[str, ...]:
    """The parcels' own tracking numbers in order, or the shipment's one (none yet: empty)."""
    if parcel_numbers:
        return tuple(parcel_numbers)
    return (shipment.tracking_number,) if shipment.tracking_number else ()


def view_of(uow: UnitOfWork, shipment: ShipmentRow, now: datetime) -> ShipmentView:
    return views_of(uow, [shipment], now)[0]


def views_of(
    uow: UnitOfWork, shipments: Sequence[ShipmentRow], now: datetime
) -> list[ShipmentView]:
    """Views of shipments read in this transaction: three statements, whatever their number."""
    if not shipments:
        return []
    ids = [shipment.id for shipment in shipments]
    return_ids = sorted({shipment.return_id for shipment in shipments})
    statement = select(ReturnRow.id, ReturnRow.number).where(ReturnRow.id.in_(return_ids))
    numbers = {row.id: row.number for row in uow.session.execute(statement)}
    events: dict[int, list[TrackingEventRow]] = {}
    for event in uow.shipments.tracking_events(ids):
        events.setdefault(event.shipment_id, []).append(event)
    parcel_numbers: dict[int, list[str]] = {}
    for parcel in uow.shipments.parcels(shipments[0].store_id, ids):
        parcel_numbers.setdefault(parcel.shipment_id, []).append(parcel.tracking_number)
    return [
        ShipmentView(
            shipment=shipment,
            rma_number=numbers[shipment.return_id],
            tracking_events=events.get(shipment.id, []),
            label_unavailable=label_unavailable_because(
                LabelStatus(shipment.label_status),
                ShipmentStatus(shipment.status),
                shipment.expires_at,
                now,
            ),
            tracking_numbers=tracking_numbers_of(shipment, parcel_numbers.get(shipment.id, [])),
        )
        for shipment in shipments
    ]
