"""Bought labels that expired unused are voided, so the carrier refunds them (EasyPost on
loopback); built-in, scanned and unexpired ones are left alone; a carrier that is down leaves
the label for the next run."""

# The EasyPost fixtures are test_easypost.py's, imported by name: pytest finds them here.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from retour.db.models import Event
from retour.db.unit_of_work import UnitOfWork
from retour.services import shipments
from retour.services.shipments.expired_labels import ExpiredLabels, void_expired_labels
from retour.shipping.registry import Carriers
from tests.factories import STAFF
from tests.integration.test_easypost import (  # noqa: F401 (fixtures)
    LABEL,
    approved,
    carriers,
    create,
    easypost,
    sleeps,
    store_id,
)
from tests.support.shipping_steps import approved_return


def run(session_factory, carriers, clock):
    return void_expired_labels(lambda: UnitOfWork(session_factory), carriers, clock, STAFF)


def refunds_asked(easypost) -> list[str]:
    return [path for method, path, *_ in easypost.requests if path.endswith("/refund")]


def test_an_expired_unused_label_is_voided_once_and_refunded(
    uow, session_factory, store_id, approved, clock, carriers, easypost
):
    shipment = create(uow, carriers, store_id, approved.id, clock).view.shipment
    clock.current = shipment.expires_at - timedelta(seconds=1)
    assert run(session_factory, carriers, clock) == ExpiredLabels(0, 0)

    clock.current = shipment.expires_at
    assert run(session_factory, carriers, clock) == ExpiredLabels(1, 0)
    assert run(session_factory, carriers, clock) == ExpiredLabels(0, 0)

    assert refunds_asked(easypost) == ["/v2/shipments/shp_0001/refund"]
    with uow:
        voided = uow.session.scalars(select(Event).where(Event.name == "shipment.voided")).all()
        assert [(e.payload["shipment_id"], e.payload["reason"]) for e in voided] == [
            (shipment.id, "expired unused")
        ]


def test_built_in_and_scanned_labels_are_left_alone(
    uow, session_factory, store_id, approved, clock, carriers, easypost
):
    builtin = Carriers()
    other = approved_return(uow, store_id, clock)  # the order's second unit
    made = shipments.create_shipment(uow, builtin, store_id, other.id, LABEL, STAFF, clock)
    scanned = create(uow, carriers, store_id, approved.id, clock).view.shipment
    easypost.add_scan(scanned.tracking_number, "in_transit", "2026-03-03T10:00:00Z")
    list(shipments.refresh_shipments(uow, carriers, [(store_id, scanned.id)], STAFF, clock))
    clock.current += timedelta(days=400)

    assert run(session_factory, carriers, clock) == ExpiredLabels(0, 0)
    assert made.view.shipment.carrier == "builtin"
    assert refunds_asked(easypost) == []


def test_a_carrier_that_is_down_leaves_the_label_for_the_next_run(
    uow, session_factory, store_id, approved, clock, carriers, easypost
):
    shipment = create(uow, carriers, store_id, approved.id, clock).view.shipment
    clock.current = shipment.expires_at + timedelta(hours=1)
    easypost.fail_next(503, times=3)

    assert run(session_factory, carriers, clock) == ExpiredLabels(0, 1)
    assert (
        shipments.get_shipment(uow, store_id, shipment.id, clock.now()).shipment.status
        == "pre_transit"
    )
    assert run(session_factory, carriers, clock) == ExpiredLabels(1, 0)
