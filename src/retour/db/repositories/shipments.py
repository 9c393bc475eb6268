"""Shipments, their documents and tracking events; and the addresses a label is made from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from retour.db.locking import lock_row
from retour.db.models import (
    InventoryLocation,
    OrderRow,
    ReturnRow,
    ShipmentDocumentRow,
    ShipmentParcelRow,
    ShipmentRow,
    Store,
    TrackingEventRow,
)
from retour.domain.addresses import FIELD_NAMES, Address
from retour.domain.shipments import LabelStatus, ShipmentStatus


def location_address(location: InventoryLocation) -> Address:
    return Address(**{name: getattr(location, f"address_{name}") for name in FIELD_NAMES})


def set_location_address(location: InventoryLocation, address: Address) -> None:
    for name in FIELD_NAMES:
        setattr(location, f"address_{name}", getattr(address, name))


def order_address(order: OrderRow) -> Address:
    return Address(**{name: getattr(order, f"shipping_{name}") for name in FIELD_NAMES})


def returns_with_parcel(store_id: int, tracking_number: str) -> Select[Any]:
    """Ids of the store's returns with a parcel of this tracking number labelled apart (an
    EasyPost order's parcel 2, …), for a search by tracking number to take into a union."""
    return (
        select(ShipmentRow.return_id)
        .join(ShipmentParcelRow, ShipmentParcelRow.shipment_id == ShipmentRow.id)
        .where(
            ShipmentParcelRow.store_id == store_id,
            ShipmentParcelRow.tracking_number == tracking_number,
        )
    )


class ShipmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- shipments --------------------------------------------------------------------------

    def get(self, store_id: int, shipment_id: int, for_update: bool = False) -> ShipmentRow | None:
        """The shipment; with `for_update`, locked until commit (both engines)."""
        statement = select(ShipmentRow).where(
            ShipmentRow.id == shipment_id, ShipmentRow.store_id == store_id
        )
        if for_update:
            statement = lock_row(self.session, statement, ShipmentRow, shipment_id, store_id)
        return self.session.scalars(statement).one_or_none()

    def by_idempotency_key(self, store_id: int, key: str) -> ShipmentRow | None:
        statement = select(ShipmentRow).where(
            ShipmentRow.store_id == store_id, ShipmentRow.idempotency_key == key
        )
        return self.session.scalars(statement).one_or_none()

    def for_return(self, store_id: int, return_id: int) -> list[ShipmentRow]:
        """Oldest first."""
        statement = (
            select(ShipmentRow)
            .where(ShipmentRow.store_id == store_id, ShipmentRow.return_id == return_id)
            .order_by(ShipmentRow.id)
        )
        return list(self.session.scalars(statement))

    def ids_by_tracking_number(
        self, store_id: int, carrier: str, tracking_number: str
    ) -> list[int]:
        """The store's shipments with this carrier and tracking number (a webhook's), that of
        the shipment or of any of its parcels."""
        of_parcels = select(ShipmentParcelRow.shipment_id).where(
            ShipmentParcelRow.store_id == store_id,
            ShipmentParcelRow.tracking_number == tracking_number,
        )
        statement = select(ShipmentRow.id).where(
            ShipmentRow.store_id == store_id,
            or_(ShipmentRow.tracking_number == tracking_number, ShipmentRow.id.in_(of_parcels)),
            ShipmentRow.carrier == carrier,
        )
        return list(self.session.scalars(statement.order_by(ShipmentRow.id)))

    def ids_to_track(
        self, now: datetime, untracked_carrier: str, store_id: int | None = None
    ) -> list[tuple[int, int]]:
        """(store id, shipment id) of labels whose parcel may still move: issued, not
        voided, not at an end (delivered, returned to sender, failure), not unused past
        their date; oldest first. Of every store unless `store_id` is given."""
        ended = [
            ShipmentStatus.DELIVERED.value,
            ShipmentStatus.RETURNED_TO_SENDER.value,
            ShipmentStatus.FAILURE.value,
            ShipmentStatus.VOIDED.value,
        ]
        statement = select(ShipmentRow.store_id, ShipmentRow.id).where(
            ShipmentRow.label_status == LabelStatus.ISSUED.value,
            ShipmentRow.status.not_in(ended),
            ShipmentRow.carrier != untracked_carrier,
            or_(
                ShipmentRow.expires_at > now,
                ShipmentRow.status != ShipmentStatus.PRE_TRANSIT.value,
            ),
        )
        if store_id is not None:
            statement = statement.where(ShipmentRow.store_id == store_id)
        rows = self.session.execute(statement.order_by(ShipmentRow.id))
        return [(row.store_id, row.id) for row in rows]

    def live_for_return(self, store_id: int, return_id: int, now: datetime) -> int | None:
        """The id of a label of the return that is being made, can still be used, or is
        travelling: not voided, not failed, and not an unused one past its date."""
        statement = select(ShipmentRow.id).where(
            ShipmentRow.store_id == store_id,
            ShipmentRow.return_id == return_id,
            ShipmentRow.status != ShipmentStatus.VOIDED.value,
            ShipmentRow.label_status != LabelStatus.FAILED.value,
            or_(
                ShipmentRow.expires_at > now,
                ShipmentRow.status != ShipmentStatus.PRE_TRANSIT.value,
            ),
        )
        return self.session.scalars(statement.order_by(ShipmentRow.id).limit(1)).first()

    def live_shipment(self, store_id: int, return_id: int, now: datetime) -> ShipmentRow | None:
        shipment_id = self.live_for_return(store_id, return_id, now)
        return None if shipment_id is None else self.get(store_id, shipment_id)

    def add(self, shipment: ShipmentRow) -> ShipmentRow:
        self.session.add(shipment)
        self.session.flush()
        return shipment

    # -- parcels labelled apart ----------------------------------------------------------------

    def add_parcels(self, shipment: ShipmentRow, parcels: Iterable[tuple[str, str]]) -> None:
        """Each parcel's (tracking number, carrier reference), in the order printed."""
        self.session.add_all(
            ShipmentParcelRow(
                shipment_id=shipment.id,
                store_id=shipment.store_id,
                position=position,
                tracking_number=tracking_number,
                carrier_reference=carrier_reference,
            )
            for position, (tracking_number, carrier_reference) in enumerate(parcels, start=1)
        )

    def parcels(self, store_id: int, shipment_ids: Sequence[int]) -> list[ShipmentParcelRow]:
        """The shipments' parcels labelled apart, by shipment, then as printed."""
        if not shipment_ids:
            return []
        statement = (
            select(ShipmentParcelRow)
            .where(
                ShipmentParcelRow.store_id == store_id,
                ShipmentParcelRow.shipment_id.in_(shipment_ids),
            )
            .order_by(ShipmentParcelRow.shipment_id, ShipmentParcelRow.position)
        )
        return list(self.session.scalars(statement))

    # -- documents ---------------------------------------------------------------------------

    def add_documents(self, shipment: ShipmentRow, documents: Iterable[tuple[str, bytes]]) -> None:
        self.session.add_all(
            ShipmentDocumentRow(
                shipment_id=shipment.id, store_id=shipment.store_id, kind=kind, content=content
            )
            for kind, content in documents
        )

    def document(self, store_id: int, shipment_id: int, kind: str) -> bytes | None:
        statement = select(ShipmentDocumentRow.content).where(
            ShipmentDocumentRow.shipment_id == shipment_id,
            ShipmentDocumentRow.store_id == store_id,
            ShipmentDocumentRow.kind == kind,
        )
        content = self.session.execute(statement).scalar_one_or_none()
        return None if content is None else bytes(content)

    # -- tracking ---------------------------------------------------------------------------

    def tracking_events(self, shipment_ids: Sequence[int]) -> list[TrackingEventRow]:
        """The shipments' scans, oldest first."""
        if not shipment_ids:
            return []
        statement = (
            select(TrackingEventRow)
            .where(TrackingEventRow.shipment_id.in_(shipment_ids))
            .order_by(TrackingEventRow.occurred_at, TrackingEventRow.id)
        )
        return list(self.session.scalars(statement))

    def add_tracking_events(self, events: Iterable[TrackingEventRow]) -> None:
        self.session.add_all(events)
        self.session.flush()

    # -- where labels go from and to --------------------------------------------------------

    def return_location(self, store_id: int, return_id: int) -> InventoryLocation | None:
        """The location the return is sent back to."""
        statement = (
            select(InventoryLocation)
            .join(ReturnRow, ReturnRow.location_id == InventoryLocation.id)
            .where(ReturnRow.id == return_id, ReturnRow.store_id == store_id)
        )
        return self.session.scalars(statement).one_or_none()

    def label_settings(self, store_id: int) -> tuple[int, str, int] | None:
        """The store's label cost, currency and label expiry days."""
        statement = select(Store.label_cost, Store.currency, Store.label_expiry_days).where(
            Store.id == store_id
        )
        row = self.session.execute(statement).first()
        return None if row is None else (row.label_cost, row.currency, row.label_expiry_days)

    def default_location(self, store_id: int) -> InventoryLocation | None:
        statement = select(InventoryLocation).where(
            InventoryLocation.store_id == store_id, InventoryLocation.is_default.is_(True)
        )
        return self.session.scalars(statement).first()

    def return_reference(self, store_id: int, return_id: int) -> tuple[str, int] | None:
        """The return's RMA number and order id."""
        statement = select(ReturnRow.number, ReturnRow.order_id).where(
            ReturnRow.id == return_id, ReturnRow.store_id == store_id
        )
        row = self.session.execute(statement).first()
        return None if row is None else (row.number, row.order_id)

    def order(self, store_id: int, order_id: int) -> OrderRow | None:
        statement = select(OrderRow).where(OrderRow.id == order_id, OrderRow.store_id == store_id)
        return self.session.scalars(statement).one_or_none()
