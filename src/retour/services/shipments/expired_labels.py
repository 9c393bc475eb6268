"""Void the labels that expired unused, so the carrier gives their cost back.

A label the shopper never handed to the carrier (no scan: `pre_transit`) stops being handed
out once it expires (`expiry_days`, docs/shipping.md); a carrier that charges for labels
(every one but the built-in carrier) refunds an unused one only when asked. Each is voided
through the same use case staff call (`shipment.voided`, reason "expired unused"), one at
a time; one that cannot be voided now (the carrier down, credentials unreadable) is left for
the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from retour.db.models import ShipmentRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.shipments import LabelStatus, ShipmentStatus
from retour.services.context import Actor, Clock
from retour.services.shipments.voiding import void_shipment
from retour.shipping.builtin import NAME as BUILTIN
from retour.shipping.registry import Carriers

REASON = "expired unused"
#: Labels voided in one run at most (the rest wait for the next run).
BATCH = 200
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpiredLabels:
    voided: int
    failed: int


def void_expired_labels(
    new_uow: Callable[[], UnitOfWork], carriers: Carriers, clock: Clock, actor: Actor
) -> ExpiredLabels:
    """Void up to `BATCH` bought labels that expired without a scan, oldest expiry first."""
    with new_uow() as uow:
        due = uow.session.execute(
            select(ShipmentRow.store_id, ShipmentRow.id)
            .where(
                ShipmentRow.carrier != BUILTIN,
                ShipmentRow.status == ShipmentStatus.PRE_TRANSIT.value,
                ShipmentRow.label_status == LabelStatus.ISSUED.value,
                ShipmentRow.expires_at <= clock.now(),
            )
            .order_by(ShipmentRow.expires_at, ShipmentRow.id)
            .limit(BATCH)
        ).all()
    voided = failed = 0
    for store_id, shipment_id in due:
        try:
            void_shipment(new_uow(), carriers, store_id, shipment_id, actor, clock, REASON)
            voided += 1
        except DomainError as error:  # the carrier down or refusing: the next run tries again
            log.warning("expired label of shipment %s not voided: %s", shipment_id, error)
            failed += 1
    return ExpiredLabels(voided, failed)
