"""The polling fallback for tracking webhooks: ask the carriers about every parcel still on
its way (`retour shipments refresh`). Asking again changes nothing the carrier has not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.services.context import Actor, Clock
from retour.services.shipments.queries import get_shipment
from retour.services.shipments.tracking import refresh_and_count
from retour.shipping.builtin import NAME as BUILTIN
from retour.shipping.registry import Carriers


@dataclass(frozen=True)
class Refreshed:
    """What asking the carrier about one shipment gave."""

    store_id: int
    shipment_id: int
    number: str
    carrier: str
    tracking_number: str
    status: str
    new_scans: int
    #: Why the carrier could not be asked (down, refusing, no account any more); else "".
    error: str = ""


def shipments_to_refresh(
    uow: UnitOfWork, clock: Clock, store_id: int | None = None
) -> list[tuple[int, int]]:
    """(store id, shipment id) of the parcels still on their way, oldest first: labels issued
    and neither voided, at an end (delivered, returned to sender, failure) nor unused past
    their date. The built-in carrier's are left out: it never scans."""
    with uow:
        return uow.shipments.ids_to_track(clock.now(), BUILTIN, store_id)


def refresh_shipments(
    uow: UnitOfWork,
    carriers: Carriers,
    shipments: list[tuple[int, int]],
    actor: Actor,
    clock: Clock,
) -> Iterator[Refreshed]:
    """Ask each shipment's carrier for its scans and record the new ones, one shipment at a
    time (each in its own transaction, the carrier asked outside any); a carrier that fails
    is reported for its shipment and the others go on."""
    for store_id, shipment_id in shipments:
        error = ""
        try:
            view, new_scans = refresh_and_count(uow, carriers, store_id, shipment_id, actor, clock)
        except DomainError as failure:
            error = failure.detail
            view, new_scans = get_shipment(uow, store_id, shipment_id, clock.now()), 0
        row = view.shipment
        yield Refreshed(store_id, shipment_id, view.rma_number, row.carrier,
                        row.tracking_number, row.status, new_scans, error)  # fmt: skip
