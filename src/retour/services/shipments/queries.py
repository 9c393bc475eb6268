"""Reads: one shipment, a return's shipments."""

from __future__ import annotations

from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.services.errors import NotFound
from retour.services.shipments.common import load_shipment
from retour.services.shipments.views import ShipmentView, view_of, views_of


def get_shipment(uow: UnitOfWork, store_id: int, shipment_id: int, now: datetime) -> ShipmentView:
    with uow:
        return view_of(uow, load_shipment(uow, store_id, shipment_id), now)


def list_return_shipments(
    uow: UnitOfWork, store_id: int, return_id: int, now: datetime
) -> list[ShipmentView]:
    """Oldest first, voided and failed ones included."""
    with uow:
        if not uow.returns.exists(store_id, return_id):
            raise NotFound("return", return_id)
        return views_of(uow, uow.shipments.for_return(store_id, return_id), now)
