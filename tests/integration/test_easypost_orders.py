"""Labels of several parcels bought from EasyPost as one Order, against EasyPost's API on
loopback (tests/support/fake_easypost.py): one label per parcel, one purchase however often
asked, every parcel refunded on voiding and tracked by its own code (both engines)."""

# The fake, the store and its approved return are test_easypost.py's fixtures, imported by
# name: pytest finds them here.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from sqlalchemy import select

from retour.db.models import ShipmentParcelRow, ShipmentRow
from retour.domain.shipments import ShipmentMethod
from retour.domain.staff import Role, StaffMember
from retour.domain.statuses import ReturnStatus
from retour.services import queries, shipments
from retour.services.backoffice.queue import QueueFilter, returns_queue
from retour.services.backoffice.station import find_scanned
from retour.services.shipments.errors import CarrierDown, CarrierRefusedShipment
from retour.shipping.base import DocumentKind
from retour.shipping.easypost import EasyPostCarrier, signature_of
from retour.shipping.registry import Carriers
from tests.factories import STAFF
from tests.integration.test_easypost import (  # noqa: F401 (fixtures)
    API_KEY,
    approved,
    easypost,
    sleeps,
    store_id,
)
from tests.support.barcodes import pdf_page_sizes, pdf_text
from tests.support.fake_easypost import label_zpl, tracker_event
from tests.support.shipping_steps import easypost_carriers

SECRET = "whsec_parcels"
THREE_PARCELS = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL, parcels=3)
CODES = ["EZ0000000001", "EZ0000000002", "EZ0000000003"]
SHIPMENT_IDS = ["shp_0001", "shp_0002", "shp_0003"]


@pytest.fixture
def carriers(easypost, sleeps) -> Carriers:
    return easypost_carriers(easypost.url, API_KEY, SECRET, sleeps)


def create(uow, carriers, store_id, return_id, clock, key="label-1"):
    idempotency = shipments.IdempotencyKey(key, "body")
    return shipments.create_shipment(
        uow, carriers, store_id, return_id, THREE_PARCELS, STAFF, clock, idempotency
    )


def parcels_of(uow, shipment_id) -> list[tuple[int, str, str]]:
    with uow:
        rows = uow.session.scalars(
            select(ShipmentParcelRow)
            .where(ShipmentParcelRow.shipment_id == shipment_id)
            .order_by(ShipmentParcelRow.position)
        )
        return [(row.position, row.tracking_number, row.carrier_reference) for row in rows]


def test_three_parcels_are_one_order_bought_at_the_cheapest_rate_every_parcel_has(
    uow, store_id, approved, clock, carriers, easypost
):
    # Cheaper than GroundAdvantage, but for the first parcel only: not a rate of the order.
    easypost.first_parcel_rate = ("USPS", "LibraryMail", "2.10")

    made = create(uow, carriers, store_id, approved.id, clock).view
    row = made.shipment

    assert made.tracking_numbers == tuple(CODES)
    assert (row.parcels, row.tracking_number, row.carrier_reference, row.service) == (
        3, "EZ0000000001", "shp_0001", "USPS GroundAdvantage",
    )  # fmt: skip
    assert (row.label_cost, row.currency) == (3 * 758, "USD")
    assert parcels_of(uow, row.id) == [
        (1, "EZ0000000001", "shp_0001"), (2, "EZ0000000002", "shp_0002"),
        (3, "EZ0000000003", "shp_0003"),
    ]  # fmt: skip
    calls = [(method, path) for method, path, _, _ in easypost.requests]
    assert calls[1:3] == [("POST", "/v2/orders"), ("POST", "/v2/orders/order_0001/buy")]
    sent = easypost.requests[1][2]["order"]
    reference = f"{approved.number}/{row.id}"
    assert (sent["is_return"], sent["reference"]) == (True, reference)
    assert [shipment["reference"] for shipment in sent["shipments"]] == [
        f"{reference}/1", f"{reference}/2", f"{reference}/3",
    ]  # fmt: skip
    assert (sent["to_address"]["street1"], sent["from_address"]["street1"]) == (
        "12 rue de la Roquette", "Lagerstraße 5",
    )  # fmt: skip
    assert easypost.requests[2][2] == {"carrier": "USPS", "service": "GroundAdvantage"}
    assert easypost.bought() == SHIPMENT_IDS
    pdf = shipments.shipment_document(uow, store_id, row.id, DocumentKind.LABEL_PDF, clock.now())
    assert pdf_text(pdf) == [["EasyPost label", code] for code in CODES]
    assert pdf_page_sizes(pdf) == [(288.0, 432.0)] * 3
    zpl = shipments.shipment_document(uow, store_id, row.id, DocumentKind.LABEL_ZPL, clock.now())
    assert zpl == b"".join(label_zpl(code) + b"\n" for code in CODES)
    created = queries.return_events(uow, store_id, approved.id)[-1]
    assert (created.name, created.payload["tracking_numbers"], created.payload["label_cost"]) == (
        "shipment.created", CODES, 3 * 758,
    )  # fmt: skip
    read_back = shipments.get_shipment(uow, store_id, row.id, clock.now())
    assert read_back.tracking_numbers == tuple(CODES)


def test_one_parcel_is_still_one_shipment_and_no_order(
    uow, store_id, approved, clock, carriers, easypost
):
    one = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)

    row = shipments.create_shipment(uow, carriers, store_id, approved.id, one, STAFF,
                                    clock).view.shipment  # fmt: skip

    assert (row.tracking_number, row.label_cost) == ("EZ0000000001", 758)
    assert easypost.orders == {}
    assert parcels_of(uow, row.id) == []


def test_a_lost_buy_answer_is_found_on_the_order_and_nothing_is_bought_twice(
    uow, store_id, approved, clock, carriers, easypost
):
    easypost.lose_next_buy_answers(1)  # bought; the 500 is retried; the retry is refused

    row = create(uow, carriers, store_id, approved.id, clock).view.shipment

    assert (row.label_status, row.tracking_number, row.label_cost) == (
        "issued", "EZ0000000001", 3 * 758,
    )  # fmt: skip
    assert list(easypost.orders) == ["order_0001"]
    assert easypost.bought() == SHIPMENT_IDS
    assert [(m, p) for m, p, _, _ in easypost.requests[2:5]] == [
        ("POST", "/v2/orders/order_0001/buy"),
        ("POST", "/v2/orders/order_0001/buy"),
        ("GET", "/v2/orders/order_0001"),
    ]


def test_an_order_bought_before_easypost_went_down_is_used_by_the_retry_not_bought_again(
    uow, store_id, approved, clock, carriers, easypost
):
    easypost.lose_next_buy_answers(1, then_down=5)  # the buy and every answer after it lost

    with pytest.raises(CarrierDown):
        create(uow, carriers, store_id, approved.id, clock)

    with uow:
        assert uow.session.scalars(select(ShipmentRow.label_status)).all() == ["pending"]
    finished = create(uow, carriers, store_id, approved.id, clock)  # the same key, later

    assert list(easypost.orders) == ["order_0001"]
    assert easypost.bought() == SHIPMENT_IDS
    row = finished.view.shipment
    assert (row.label_status, row.tracking_number, row.label_cost) == (
        "issued", "EZ0000000001", 3 * 758,
    )  # fmt: skip
    assert [code for _, code, _ in parcels_of(uow, row.id)] == CODES
    pdf = shipments.shipment_document(uow, store_id, row.id, DocumentKind.LABEL_PDF, clock.now())
    assert pdf_text(pdf) == [["EasyPost label", code] for code in CODES]


def test_an_order_found_bought_only_in_part_is_refused_not_bought_again(
    uow, store_id, approved, clock, carriers, easypost
):
    easypost.lose_next_buy_answers(1, then_down=5)
    with pytest.raises(CarrierDown):
        create(uow, carriers, store_id, approved.id, clock)
    for shipment_id in SHIPMENT_IDS[1:]:  # EasyPost lists only the first parcel as bought
        easypost.shipments[shipment_id]["postage_label"] = None

    with pytest.raises(CarrierRefusedShipment) as refused:
        create(uow, carriers, store_id, approved.id, clock)

    with uow:
        row = uow.session.scalars(select(ShipmentRow)).one()
    assert refused.value.extra["reason"] == (
        f"EasyPost has 1 of the 3 parcels of {approved.number}/{row.id} bought before, not all: "
        "refund those in EasyPost and ask for a new label"
    )
    assert (list(easypost.orders), easypost.bought()) == (["order_0001"], ["shp_0001"])
    assert row.label_status == "failed"


def test_429_on_the_order_is_retried_with_backoff(
    uow, store_id, approved, clock, carriers, easypost, sleeps
):
    easypost.fail_next(429, retry_after="2", on="/v2/orders")
    easypost.fail_next(503, on="/v2/orders/order_0001/buy")

    row = create(uow, carriers, store_id, approved.id, clock).view.shipment

    assert (row.label_status, row.label_cost, easypost.bought()) == (
        "issued", 3 * 758, SHIPMENT_IDS,
    )  # fmt: skip
    assert [(m, p) for m, p, _, _ in easypost.requests[1:5]] == [
        ("POST", "/v2/orders"), ("POST", "/v2/orders"),
        ("POST", "/v2/orders/order_0001/buy"), ("POST", "/v2/orders/order_0001/buy"),
    ]  # fmt: skip
    assert sleeps[0] == 2.0
    assert 0.5 <= sleeps[1] <= 0.55  # the first backoff step, 10 % jitter
    assert len(sleeps) == 2


def test_an_account_service_no_parcel_can_have_is_refused_and_nothing_is_bought(
    uow, store_id, approved, clock, easypost, sleeps
):
    carriers = easypost_carriers(easypost.url, API_KEY, SECRET, sleeps, service="LibraryMail")
    easypost.first_parcel_rate = ("USPS", "LibraryMail", "2.10")

    with pytest.raises(CarrierRefusedShipment) as refused:
        create(uow, carriers, store_id, approved.id, clock)

    assert refused.value.extra["reason"] == (
        "EasyPost has no rate for service LibraryMail common to every parcel"
    )
    assert easypost.bought() == []
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.APPROVED


def test_voiding_refunds_every_parcel_of_the_order(
    uow, store_id, approved, clock, carriers, easypost
):
    row = create(uow, carriers, store_id, approved.id, clock).view.shipment

    voided = shipments.void_shipment(uow, carriers, store_id, row.id, STAFF, clock)

    assert voided.view.shipment.status == "voided"
    assert [(m, p) for m, p, _, _ in easypost.requests[-3:]] == [
        ("POST", f"/v2/shipments/{shipment_id}/refund") for shipment_id in SHIPMENT_IDS
    ]
    assert [easypost.shipments[s]["refund_status"] for s in SHIPMENT_IDS] == ["submitted"] * 3


def test_the_poll_asks_about_every_parcel_and_the_first_scan_of_any_moves_the_return(
    uow, store_id, approved, clock, carriers, easypost
):
    row = create(uow, carriers, store_id, approved.id, clock).view.shipment
    easypost.add_scan("EZ0000000003", "in_transit", "2026-03-03T08:00:00Z", "Accepted")

    done = list(shipments.refresh_shipments(uow, carriers, [(store_id, row.id)], STAFF, clock))

    assert [(r.status, r.new_scans, r.error) for r in done] == [("in_transit", 1, "")]
    asked = [path for method, path, _, _ in easypost.requests[-3:]]
    assert asked == [f"/v2/shipments/{shipment_id}" for shipment_id in SHIPMENT_IDS]
    assert queries.get_return(uow, store_id, approved.id).status is ReturnStatus.IN_TRANSIT


def test_a_tracker_webhook_for_the_second_parcel_finds_the_shipment_and_moves_the_return(
    uow, store_id, approved, clock, carriers, easypost
):
    row = create(uow, carriers, store_id, approved.id, clock).view.shipment
    installation = Carriers(factories={"easypost": lambda account: EasyPostCarrier(account)})
    changes = shipments.AccountChanges(api_key=API_KEY, webhook_secret=SECRET)
    shipments.set_carrier_account(uow, installation, store_id, "easypost", changes, clock.now())
    easypost.add_scan("EZ0000000002", "in_transit", "2026-03-03T08:00:00Z", "Accepted")
    body = tracker_event("evt_1", easypost.shipments["shp_0002"]["tracker"])

    outcome = shipments.receive_tracking_webhook(
        uow, installation, "easypost", {"X-Hmac-Signature": signature_of(SECRET, body)}, body,
        clock.now(),
    )  # fmt: skip

    assert (outcome.shipment_ids, outcome.new_scans, outcome.unknown_tracking_numbers) == (
        (row.id,), 1, (),
    )  # fmt: skip
    view = shipments.get_shipment(uow, store_id, row.id, clock.now())
    assert (view.shipment.status, [e.description for e in view.tracking_events]) == (
        "in_transit", ["Accepted"],
    )  # fmt: skip
    ret = queries.get_return(uow, store_id, approved.id)
    assert ret.status is ReturnStatus.IN_TRANSIT


def test_the_station_and_the_queue_find_the_return_by_any_parcels_tracking_number(
    uow, store_id, approved, clock, carriers, easypost
):
    create(uow, carriers, store_id, approved.id, clock)
    staff = StaffMember(1, store_id, "acme", "owner@acme.test", "", Role.OWNER)

    scanned = [find_scanned(uow, staff, code) for code in [*CODES, "EZ0000000009"]]
    searched = [
        [
            row.number
            for row in returns_queue(uow, staff, QueueFilter(search=code), clock.now()).rows
        ]
        for code in [*CODES, "EZ0000000009"]
    ]

    assert [(s.numbers, s.matched_as) for s in scanned] == [
        ([approved.number], "tracking"), ([approved.number], "tracking"),
        ([approved.number], "tracking"), ([], ""),
    ]  # fmt: skip
    assert searched == [[approved.number]] * 3 + [[]]
