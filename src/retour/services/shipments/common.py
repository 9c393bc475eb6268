"""What the shipment use cases share: the caller's Idempotency-Key, their outcome, loading."""

from __future__ import annotations

from dataclasses import dataclass

from retour.db.models import ShipmentRow
from retour.db.unit_of_work import UnitOfWork
from retour.services.errors import NotFound
from retour.services.shipments.views import ShipmentView
from retour.shipping.base import ParcelLabel


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    #: Of the request (method, path, body): the same key with another request is refused.
    fingerprint: str


@dataclass(frozen=True)
class ShipmentOutcome:
    view: ShipmentView
    #: True when the key had done this already: nothing was done this time, and the
    #: shipment is answered as it is now.
    replayed: bool


def load_shipment(
    uow: UnitOfWork, store_id: int, shipment_id: int, for_update: bool = False
) -> ShipmentRow:
    shipment = uow.shipments.get(store_id, shipment_id, for_update=for_update)
    if shipment is None:
        raise NotFound("shipment", shipment_id)
    return shipment


def parcel_labels(uow: UnitOfWork, shipment: ShipmentRow) -> list[ParcelLabel]:
    """What the carrier is asked about for the shipment: each parcel's own label when they
    were labelled apart (an EasyPost order), else the shipment's one tracking number."""
    parcels = uow.shipments.parcels(shipment.store_id, [shipment.id])
    if parcels:
        return [ParcelLabel(parcel.tracking_number, parcel.carrier_reference) for parcel in parcels]
    return [ParcelLabel(shipment.tracking_number, shipment.carrier_reference)]
