"""The EasyPost adapter against EasyPost's API on loopback (tests/support/fake_easypost.py):
return labels bought, refusals and outages, trackers polled (both engines)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from retour.db.models import ShipmentRow
from retour.domain.shipments import ShipmentMethod
from retour.domain.statuses import ReturnStatus
from retour.services import queries, shipments
from retour.services.shipments.errors import CarrierDown, CarrierRefusedShipment
from retour.shipping.base import CarrierAccount, DocumentKind
from retour.shipping.easypost import EasyPostCarrier
from retour.shipping.easypost_http import EasyPostClient
from retour.shipping.registry import Carriers
from tests.factories import STAFF, make_store
from tests.support.fake_easypost import FakeEasyPost
from tests.support.fake_easypost import label_pdf as label_pdf_of
from tests.support.fake_easypost import label_zpl as label_zpl_of
from tests.support.shipping_steps import approved_return, easypost_carriers, set_return_address

API_KEY = "EZTK_secret_0123456789abcdef"
LABEL = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)
PDF_KIND, ZPL_KIND = DocumentKind.LABEL_PDF, DocumentKind.LABEL_ZPL


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    with FakeEasyPost(API_KEY) as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def carriers(easypost, sleeps) -> Carriers:
    return easypost_carriers(easypost.url, API_KEY, "whsec", sleeps)


@pytest.fixture
def store_id(uow, clock):
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    return store_id


@pytest.fixture
def approved(uow, store_id, clock):
    return approved_return(uow, store_id, clock)


def create(uow, carriers, store_id, return_id, clock, key="label-1"):
    idempotency = shipments.IdempotencyKey(key, "body")
    return shipments.create_shipment(
        uow, carriers, store_id, return_id, LABEL, STAFF, clock, idempotency
    )


def test_a_return_label_is_bought_at_the_cheapest_rate_with_the_addresses_as_easypost_wants(
    uow, store_id, approved, clock, carriers, easypost
):
    outcome = create(uow, carriers, store_id, approved.id, clock)

    row = outcome.view.shipment
    assert (row.carrier, row.tracking_number, row.carrier_reference, row.service) == (
        "easypost", "EZ0000000001", "shp_0001", "USPS GroundAdvantage",
    )  # fmt: skip
    assert (row.label_cost, row.currency) == (758, "USD")
    looked, path, _, _ = easypost.requests[0]  # for a purchase made for it before: none
    assert (looked, urlsplit(path).path) == ("GET", "/v2/shipments")
    assert parse_qs(urlsplit(path).query) == {
        "purchased": ["true"], "start_datetime": ["2026-03-02T09:20:00Z"], "page_size": ["100"],
    }  # fmt: skip
    method, path, body, auth = easypost.requests[1]
    assert (method, path) == ("POST", "/v2/shipments")
    assert auth == "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    sent = body["shipment"]
    assert (sent["is_return"], sent["reference"]) == (True, f"{approved.number}/{row.id}")
    assert sent["options"]["print_custom_1"] == approved.number
    # A return shipment's addresses are given as for the delivery: EasyPost swaps them.
    assert (sent["to_address"]["street1"], sent["from_address"]["street1"]) == (
        "12 rue de la Roquette", "Lagerstraße 5",
    )  # fmt: skip
    assert [(m, p) for m, p, _, _ in easypost.requests[2:]] == [
        ("POST", "/v2/shipments/shp_0001/buy"),
        ("GET", "/files/shp_0001.pdf"),
        ("GET", "/v2/shipments/shp_0001/label?file_format=ZPL"),
        ("GET", "/files/shp_0001.zpl"),
    ]
    assert easypost.requests[2][2] == {"rate": {"id": "rate_cheap_1"}}
    label_pdf = shipments.shipment_document(uow, store_id, row.id, PDF_KIND, clock.now())
    label_zpl = shipments.shipment_document(uow, store_id, row.id, ZPL_KIND, clock.now())
    assert (label_pdf, label_zpl) == (label_pdf_of("EZ0000000001"), label_zpl_of("EZ0000000001"))


def test_an_address_easypost_rejects_leaves_the_return_approved_with_its_reason_and_a_retry(
    uow, store_id, approved, clock, carriers, easypost
):
    easypost.reject_addresses = True

    with pytest.raises(CarrierRefusedShipment) as refused:
        create(uow, carriers, store_id, approved.id, clock)

    reason = "Unable to verify address. (address: Address not found)"
    assert refused.value.extra["reason"] == reason
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.APPROVED
    easypost.reject_addresses = False
    retried = create(uow, carriers, store_id, approved.id, clock)
    listed = shipments.list_return_shipments(uow, store_id, approved.id, clock.now())
    assert [(view.shipment.label_status, view.shipment.label_error) for view in listed] == [
        ("failed", reason), ("issued", ""),
    ]  # fmt: skip
    assert retried.view.shipment.tracking_number == "EZ0000000001"


def test_429_and_5xx_are_retried_with_backoff_and_retry_after_is_obeyed(
    uow, store_id, approved, clock, carriers, easypost, sleeps
):
    easypost.fail_next(429, retry_after="3")
    easypost.fail_next(503)

    outcome = create(uow, carriers, store_id, approved.id, clock)

    assert outcome.view.shipment.label_status == "issued"
    assert sleeps[0] == 3.0
    assert 1.0 <= sleeps[1] <= 1.1  # the second backoff step (0.5 s doubled), 10 % jitter
    assert len(sleeps) == 2


def test_a_carrier_down_loses_nothing_and_the_same_key_finishes_later(
    uow, store_id, approved, clock, carriers, easypost, sleeps
):
    easypost.fail_next(500, times=3)

    with pytest.raises(CarrierDown):
        create(uow, carriers, store_id, approved.id, clock)

    with uow:
        pending = uow.session.scalars(select(ShipmentRow.label_status)).all()
    assert pending == ["pending"]
    assert len(sleeps) == 2
    finished = create(uow, carriers, store_id, approved.id, clock)
    assert finished.view.shipment.label_status == "issued"
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.APPROVED


def test_a_purchase_whose_answer_is_lost_is_found_on_the_shipment_not_bought_twice(
    uow, store_id, approved, clock, carriers, easypost
):
    easypost.lose_next_buy_answers(1)  # bought; the 500 is retried; the retry is refused

    outcome = create(uow, carriers, store_id, approved.id, clock)

    assert easypost.bought() == ["shp_0001"]
    assert (outcome.view.shipment.label_status, outcome.view.shipment.tracking_number) == (
        "issued", "EZ0000000001",
    )  # fmt: skip
    assert [(m, p) for m, p, _, _ in easypost.requests[2:5]] == [
        ("POST", "/v2/shipments/shp_0001/buy"),
        ("POST", "/v2/shipments/shp_0001/buy"),
        ("GET", "/v2/shipments/shp_0001"),
    ]


def test_a_label_bought_before_easypost_went_down_is_used_by_the_retry_not_bought_again(
    uow, store_id, approved, clock, carriers, easypost, sleeps
):
    easypost.lose_next_buy_answers(1, then_down=5)  # the buy and every answer after it lost

    with pytest.raises(CarrierDown):
        create(uow, carriers, store_id, approved.id, clock)

    with uow:
        assert uow.session.scalars(select(ShipmentRow.label_status)).all() == ["pending"]
    assert easypost.bought() == ["shp_0001"]
    finished = create(uow, carriers, store_id, approved.id, clock)  # the same key, later
    assert easypost.bought() == ["shp_0001"]
    row = finished.view.shipment
    assert (row.label_status, row.tracking_number, row.carrier_reference, row.label_cost) == (
        "issued", "EZ0000000001", "shp_0001", 758,
    )  # fmt: skip
    stored = shipments.shipment_document(uow, store_id, row.id, PDF_KIND, clock.now())
    assert stored == label_pdf_of("EZ0000000001")


def test_another_shipment_of_the_return_is_bought_anew_not_taken_for_the_first(
    uow, store_id, approved, clock, carriers, easypost
):
    first = create(uow, carriers, store_id, approved.id, clock, key="label-1").view.shipment
    shipments.void_shipment(uow, carriers, store_id, first.id, STAFF, clock)

    second = create(uow, carriers, store_id, approved.id, clock, key="label-2").view.shipment

    assert easypost.bought() == ["shp_0001", "shp_0002"]
    assert (first.tracking_number, second.tracking_number) == ("EZ0000000001", "EZ0000000002")


def test_the_api_key_is_in_no_error_and_no_repr(easypost, sleeps):
    client = EasyPostClient("wrong_" + API_KEY, easypost.url, attempts=1, sleep=sleeps.append)
    carrier = EasyPostCarrier(CarrierAccount("easypost", "wrong_" + API_KEY, "whsec"), client)

    with pytest.raises(Exception) as refused:
        carrier.fetch_tracking("EZ1", "shp_0001")

    assert str(refused.value) == "Invalid API key."
    assert API_KEY not in repr(carrier) + repr(client) + repr(CarrierAccount("e", API_KEY))


def test_the_poll_records_the_trackers_scans_in_transit_then_arrived(
    uow, store_id, approved, clock, carriers, easypost
):
    shipment = create(uow, carriers, store_id, approved.id, clock).view.shipment
    easypost.add_scan("EZ0000000001", "pre_transit", "2026-03-02T10:00:00Z")
    easypost.add_scan("EZ0000000001", "in_transit", "2026-03-03T08:00:00Z", "Accepted")
    todo = shipments.shipments_to_refresh(uow, clock)

    first = list(shipments.refresh_shipments(uow, carriers, todo, STAFF, clock))
    easypost.add_scan("EZ0000000001", "delivered", "2026-03-05T12:30:00Z", "Delivered")
    second = list(shipments.refresh_shipments(uow, carriers, todo, STAFF, clock))
    again = list(shipments.refresh_shipments(uow, carriers, todo, STAFF, clock))

    assert todo == [(store_id, shipment.id)]
    assert [(r.status, r.new_scans, r.error) for r in first + second + again] == [
        ("in_transit", 2, ""), ("delivered", 1, ""), ("delivered", 0, ""),
    ]  # fmt: skip
    ret = queries.get_return(uow, store_id, approved.id)
    assert (ret.status, ret.arrived_at) == (
        ReturnStatus.IN_TRANSIT, datetime(2026, 3, 5, 12, 30, tzinfo=UTC),
    )  # fmt: skip
    names = [event.name for event in queries.return_events(uow, store_id, approved.id)]
    assert names[-4:] == ["shipment.tracking_updated", "return.in_transit",
                          "shipment.tracking_updated", "return.arrived"]  # fmt: skip
    assert shipments.shipments_to_refresh(uow, clock) == []


def test_a_carrier_that_fails_during_the_poll_is_reported_and_the_others_go_on(
    uow, store_id, approved, clock, carriers, easypost
):
    shipment = create(uow, carriers, store_id, approved.id, clock).view.shipment
    easypost.fail_next(503, times=3)

    done = list(shipments.refresh_shipments(uow, carriers, [(store_id, shipment.id)], STAFF,
                                            clock))  # fmt: skip

    assert [(r.status, r.new_scans) for r in done] == [("pre_transit", 0)]
    assert done[0].error.startswith("easypost")


def test_voiding_asks_easypost_for_a_refund(uow, store_id, approved, clock, carriers, easypost):
    shipment = create(uow, carriers, store_id, approved.id, clock).view.shipment

    voided = shipments.void_shipment(uow, carriers, store_id, shipment.id, STAFF, clock)

    assert voided.view.shipment.status == "voided"
    assert easypost.requests[-1][:2] == ("POST", "/v2/shipments/shp_0001/refund")
    assert easypost.shipments["shp_0001"]["refund_status"] == "submitted"
