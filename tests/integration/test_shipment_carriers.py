"""What a carrier can do that the built-in one never does — refuse, be down, charge, scan —
through the carrier protocol, against the database (both engines)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Event, IdempotencyRecord, ShipmentRow, TrackingEventRow
from retour.domain.shipments import Scan, ShipmentMethod, ShipmentStatus
from retour.domain.statuses import ReturnStatus
from retour.services import queries, shipments
from retour.services.shipments.errors import CarrierDown, CarrierRefusedShipment
from retour.shipping.registry import Carriers
from tests.factories import STAFF, make_store
from tests.support.fake_carrier import API_KEY, ScriptedCarrier
from tests.support.shipping_steps import approved_return, set_return_address, shipping_rows

LABEL = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)


@pytest.fixture
def store_id(uow, clock):
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    return store_id


@pytest.fixture
def approved(uow, store_id, clock):
    return approved_return(uow, store_id, clock)


def create(uow, carrier, store_id, return_id, clock, key="label-1"):
    idempotency = shipments.IdempotencyKey(key, "body") if key else None
    return shipments.create_shipment(
        uow, Carriers([carrier], default=carrier.name), store_id, return_id, LABEL, STAFF,
        clock, idempotency,
    )  # fmt: skip


def test_a_refusal_keeps_the_reason_without_the_key_and_leaves_the_return_approved(
    uow, store_id, approved, clock
):
    carrier = ScriptedCarrier(refuse=f"address not served (account {API_KEY})")

    with pytest.raises(CarrierRefusedShipment) as refused:
        create(uow, carrier, store_id, approved.id, clock)

    reason = "address not served (account [redacted])"
    assert refused.value.detail == f"scripted refused: {reason}"
    assert refused.value.extra["reason"] == reason
    with uow:
        shipment = uow.session.scalars(select(ShipmentRow)).one()
        keys = uow.session.scalars(select(IdempotencyRecord.key)).all()
    assert (shipment.label_status, shipment.label_error, shipment.idempotency_key) == (
        "failed", reason, None,
    )  # fmt: skip
    assert API_KEY not in repr(refused.value.extra) + refused.value.detail
    assert keys == []  # the key is free again for the request, once fixed
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.APPROVED
    assert shipping_rows(uow)["events"] == 0


def test_after_a_refusal_the_same_key_tries_again_with_a_new_shipment(
    uow, store_id, approved, clock
):
    carrier = ScriptedCarrier(refuse="address not served")
    with pytest.raises(CarrierRefusedShipment):
        create(uow, carrier, store_id, approved.id, clock)
    carrier.refuse = ""

    outcome = create(uow, carrier, store_id, approved.id, clock)

    assert (outcome.replayed, outcome.view.shipment.label_status) == (False, "issued")
    listed = shipments.list_return_shipments(uow, store_id, approved.id, clock.now())
    assert [view.shipment.label_status for view in listed] == ["failed", "issued"]


def test_a_carrier_that_is_down_loses_nothing_and_the_same_key_finishes_the_label(
    uow, store_id, approved, clock
):
    carrier = ScriptedCarrier(outages=1)

    with pytest.raises(CarrierDown) as down:
        create(uow, carrier, store_id, approved.id, clock)
    with uow:
        pending = uow.session.scalars(select(ShipmentRow)).one()
    assert (pending.label_status, pending.tracking_number) == ("pending", "")
    assert down.value.extra == {"shipment_id": pending.id, "carrier": "scripted"}
    assert API_KEY not in down.value.detail

    finished = create(uow, carrier, store_id, approved.id, clock)

    assert finished.view.shipment.id == pending.id
    assert finished.view.shipment.label_status == "issued"
    assert [request.shipment_id for request in carrier.label_requests] == [pending.id] * 2
    assert shipping_rows(uow) == {"shipments": 1, "documents": 2, "events": 1, "keys": 1}


def test_a_crash_between_intent_and_answer_is_finished_by_the_same_request(
    uow, store_id, approved, clock
):
    class Crashing(ScriptedCarrier):
        def create_label(self, request):
            raise SystemExit("the process died while the carrier was asked")

    with pytest.raises(SystemExit):
        create(uow, Crashing(), store_id, approved.id, clock)

    outcome = create(uow, ScriptedCarrier(), store_id, approved.id, clock)

    assert outcome.view.shipment.label_status == "issued"
    assert shipping_rows(uow) == {"shipments": 1, "documents": 2, "events": 1, "keys": 1}


def test_a_carriers_own_price_is_recorded_instead_of_the_stores(uow, store_id, approved, clock):
    shipment = create(uow, ScriptedCarrier(cost=789), store_id, approved.id, clock).view.shipment

    assert (shipment.label_cost, shipment.currency, shipment.service) == (789, "EUR", "express")


def test_a_pending_shipment_can_be_voided_and_its_key_then_makes_no_label(
    uow, store_id, approved, clock
):
    carrier = ScriptedCarrier(outages=1)
    with pytest.raises(CarrierDown):
        create(uow, carrier, store_id, approved.id, clock)
    with uow:
        pending_id = uow.session.scalars(select(ShipmentRow.id)).one()

    voided = shipments.void_shipment(
        uow, Carriers([carrier], "scripted"), store_id, pending_id, STAFF, clock
    )
    again = create(uow, carrier, store_id, approved.id, clock)

    assert (voided.view.shipment.status, voided.view.shipment.label_status) == (
        "voided", "pending",
    )  # fmt: skip
    assert (again.view.shipment.id, again.view.shipment.status) == (pending_id, "voided")
    assert len(carrier.label_requests) == 1  # the outage only
    assert carrier.voided == []  # no label was ever made


def test_a_label_made_while_staff_voided_its_shipment_is_voided_at_the_carrier(
    uow, store_id, approved, clock
):
    class VoidedMeanwhile(ScriptedCarrier):
        def create_label(self, request):
            shipments.void_shipment(uow, carriers, store_id, request.shipment_id, STAFF, clock)
            return super().create_label(request)

    carrier = VoidedMeanwhile()
    carriers = Carriers([carrier], "scripted")

    late = create(uow, carrier, store_id, approved.id, clock)

    assert (late.view.shipment.status, late.view.shipment.label_status) == ("voided", "issued")
    assert carrier.voided == [late.view.shipment.tracking_number]
    names = [event.name for event in queries.return_events(uow, store_id, approved.id)]
    assert names[-1] == "shipment.voided" and "shipment.created" not in names


def scan(event_id, status, minutes, clock, location=""):
    return Scan(event_id, status, clock.now() + timedelta(minutes=minutes), location, status)


def test_the_first_scan_puts_the_return_in_transit_and_every_scan_is_on_the_timeline(
    uow, store_id, approved, clock
):
    carrier = ScriptedCarrier()
    shipment = create(uow, carrier, store_id, approved.id, clock).view.shipment
    carrier.scans = [
        scan("e1", ShipmentStatus.PRE_TRANSIT, 5, clock),
        scan("e2", ShipmentStatus.IN_TRANSIT, 60, clock, "Paris hub"),
    ]
    carriers = Carriers([carrier], "scripted")

    view = shipments.refresh_tracking(uow, carriers, store_id, shipment.id, STAFF, clock)

    assert view.shipment.status == "in_transit"
    assert [(event.carrier_event_id, event.status, event.location)
            for event in view.tracking_events] == [
        ("e1", "pre_transit", ""), ("e2", "in_transit", "Paris hub"),
    ]  # fmt: skip
    ret = queries.get_return(uow, store_id, approved.id)
    assert (ret.status, ret.tracking_number, ret.carrier) == (
        ReturnStatus.IN_TRANSIT, shipment.tracking_number, "scripted",
    )  # fmt: skip
    events = queries.return_events(uow, store_id, approved.id)
    assert [event.name for event in events][-2:] == ["shipment.tracking_updated",
                                                     "return.in_transit"]  # fmt: skip
    assert events[-2].payload["scans"] == [
        {"status": "pre_transit", "occurred_at": (clock.now() + timedelta(minutes=5)).isoformat(),
         "location": "", "description": "pre_transit"},
        {"status": "in_transit", "occurred_at": (clock.now() + timedelta(minutes=60)).isoformat(),
         "location": "Paris hub", "description": "in_transit"},
    ]  # fmt: skip


def test_scans_seen_before_are_ignored_and_an_older_one_never_moves_the_status_back(
    uow, store_id, approved, clock
):
    shipment = create(uow, ScriptedCarrier(), store_id, approved.id, clock).view.shipment
    delivered = scan("e3", ShipmentStatus.DELIVERED, 300, clock)
    shipments.record_scans(uow, store_id, shipment.id, [delivered], STAFF, clock.now())

    late = shipments.record_scans(
        uow, store_id, shipment.id,
        [delivered, scan("e2", ShipmentStatus.IN_TRANSIT, 60, clock)], STAFF, clock.now(),
    )  # fmt: skip
    replay = shipments.record_scans(uow, store_id, shipment.id, [delivered], STAFF, clock.now())

    assert late.shipment.status == replay.shipment.status == "delivered"
    assert [event.carrier_event_id for event in replay.tracking_events] == ["e2", "e3"]
    with uow:
        rows = uow.session.scalars(select(TrackingEventRow.carrier_event_id)).all()
        updates = uow.session.scalars(
            select(Event.id).where(Event.name == "shipment.tracking_updated")
        ).all()
    assert sorted(rows) == ["e2", "e3"]
    assert len(updates) == 2  # the replay wrote nothing
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.IN_TRANSIT


def test_a_scan_of_a_voided_label_is_kept_but_moves_nothing(uow, store_id, approved, clock):
    carrier = ScriptedCarrier()
    shipment = create(uow, carrier, store_id, approved.id, clock).view.shipment
    shipments.void_shipment(uow, Carriers([carrier], "scripted"), store_id, shipment.id, STAFF,
                            clock)  # fmt: skip

    view = shipments.record_scans(
        uow, store_id, shipment.id, [scan("e1", ShipmentStatus.IN_TRANSIT, 5, clock)], STAFF,
        clock.now(),
    )  # fmt: skip

    assert (view.shipment.status, len(view.tracking_events)) == ("voided", 1)
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.APPROVED


def test_the_built_in_carrier_has_no_scans_and_no_webhooks(uow, store_id, approved, clock):
    shipment = shipments.create_shipment(
        uow, Carriers(), store_id, approved.id, LABEL, STAFF, clock
    ).view.shipment

    view = shipments.refresh_tracking(uow, Carriers(), store_id, shipment.id, STAFF, clock)

    assert (view.shipment.status, view.tracking_events) == ("pre_transit", [])
    with pytest.raises(Exception, match="the built-in carrier sends no tracking webhooks"):
        Carriers().get("builtin").parse_tracking_webhook({}, b"{}")
