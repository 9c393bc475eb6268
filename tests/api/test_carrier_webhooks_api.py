"""EasyPost's tracker webhooks at `POST /api/v1/carriers/easypost/webhooks`: verified by their
signature, taken in once, and an older scan never moves the status back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from retour.db.models import CarrierWebhookRow, TrackingEventRow
from retour.domain.shipments import ShipmentMethod
from retour.services import queries, shipments
from retour.shipping.base import CarrierAccount
from retour.shipping.easypost import EasyPostCarrier, easypost_factory, signature_of
from retour.shipping.easypost_http import EasyPostClient
from retour.shipping.registry import Carriers
from tests.factories import STAFF
from tests.support.barcodes import pdf_text
from tests.support.fake_easypost import FakeEasyPost, tracker_event
from tests.support.shipping_steps import approved_return, set_return_address

API_KEY = "EZTK_webhooks_0123456789"
SECRET = "whsec_easypost_9f8e7d"


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    with FakeEasyPost(API_KEY) as fake:
        yield fake


@pytest.fixture
def shipped(client, uow, server, easypost):
    """An approved return of store `acme` with an EasyPost label (tracking EZ0000000001)."""
    return ship(uow, server, easypost, parcels=1)


@pytest.fixture
def shipped_in_three(client, uow, server, easypost):
    """The same with three parcels, one EasyPost order (tracking EZ0000000001 … 3)."""
    return ship(uow, server, easypost, parcels=3)


def ship(uow, server, easypost, parcels: int):
    with uow:
        store_id = uow.stores.by_slug("acme").id
    set_return_address(uow, store_id)
    installation = Carriers(factories={"easypost": easypost_factory(easypost.url)})
    changes = shipments.AccountChanges(api_key=API_KEY, webhook_secret=SECRET)
    shipments.set_carrier_account(uow, installation, store_id, "easypost", changes,
                                  server.clock.now())  # fmt: skip
    ret = approved_return(uow, store_id, server.clock)
    client_ = EasyPostClient(API_KEY, easypost.url, sleep=lambda _: None)
    carrier = EasyPostCarrier(CarrierAccount("easypost", API_KEY, SECRET), client_)
    shipment = shipments.create_shipment(
        uow, Carriers([carrier], "easypost"), store_id, ret.id,
        shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL, parcels), STAFF, server.clock,
    ).view.shipment  # fmt: skip
    return store_id, ret, shipment


def tracker(*details: tuple[str, str]) -> dict[str, object]:
    return {
        "id": "trk_0001", "object": "Tracker", "tracking_code": "EZ0000000001",
        "status": details[-1][0], "tracking_details": [
            {"object": "TrackingDetail", "status": status, "datetime": moment,
             "message": status.replace("_", " "), "tracking_location": {"city": "Berlin"}}
            for status, moment in details
        ],
    }  # fmt: skip


def post(server, body: bytes, signature: str | None = None) -> httpx.Response:
    header = signature if signature is not None else signature_of(SECRET, body)
    return httpx.post(
        f"{server.base_url}/api/v1/carriers/easypost/webhooks",
        content=body,
        headers={"X-Hmac-Signature": header, "Content-Type": "application/json"},
    )


def counts(uow) -> tuple[int, int]:
    with uow:
        scans = uow.session.scalar(select(func.count()).select_from(TrackingEventRow))
        deliveries = uow.session.scalar(select(func.count()).select_from(CarrierWebhookRow))
    return scans, deliveries


IN_TRANSIT = ("in_transit", "2026-03-03T08:00:00Z")
DELIVERED = ("delivered", "2026-03-05T12:30:00Z")


def test_a_signed_tracker_update_puts_the_return_in_transit(server, uow, shipped):
    store_id, ret, shipment = shipped

    answer = post(server, tracker_event("evt_1", tracker(IN_TRANSIT)))

    assert answer.status_code == 200
    assert answer.json() == {"replayed": False, "shipment_ids": [shipment.id], "new_scans": 1,
                             "unknown_tracking_numbers": []}  # fmt: skip
    view = shipments.get_shipment(uow, store_id, shipment.id, server.clock.now())
    assert [(e.status, e.location, e.description) for e in view.tracking_events] == [
        ("in_transit", "Berlin", "in transit"),
    ]  # fmt: skip
    assert queries.get_return(uow, store_id, ret.id).status.value == "in_transit"


def test_a_tracker_update_of_the_second_parcel_of_three_puts_the_return_in_transit(
    server, uow, client, easypost, shipped_in_three
):
    store_id, ret, shipment = shipped_in_three
    easypost.add_scan("EZ0000000002", *IN_TRANSIT)

    answer = post(server, tracker_event("evt_2", easypost.shipments["shp_0002"]["tracker"]))

    assert answer.json() == {"replayed": False, "shipment_ids": [shipment.id], "new_scans": 1,
                             "unknown_tracking_numbers": []}  # fmt: skip
    read = client.get(f"/shipments/{shipment.id}").json()
    assert (read["tracking_number"], read["tracking_numbers"], read["status"]) == (
        "EZ0000000001", ["EZ0000000001", "EZ0000000002", "EZ0000000003"], "in_transit",
    )  # fmt: skip
    assert pdf_text(client.get(f"/shipments/{shipment.id}/label.pdf").content) == [
        ["EasyPost label", f"EZ000000000{n}"] for n in (1, 2, 3)
    ]
    assert queries.get_return(uow, store_id, ret.id).status.value == "in_transit"


def test_a_bad_signature_is_401_and_changes_nothing(server, uow, shipped):
    store_id, ret, _ = shipped
    body = tracker_event("evt_1", tracker(IN_TRANSIT))

    answers = [
        post(server, body, signature_of("not-the-secret", body)),
        post(server, body, ""),
        post(server, body + b" ", signature_of(SECRET, body)),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert answers[0].json()["code"] == "invalid_signature"
    assert SECRET not in answers[0].text
    assert counts(uow) == (0, 0)
    assert queries.get_return(uow, store_id, ret.id).status.value == "approved"


def test_a_replayed_delivery_is_answered_and_ignored(server, uow, shipped):
    body = tracker_event("evt_1", tracker(IN_TRANSIT))
    post(server, body)
    before = counts(uow)

    again = post(server, body)

    assert again.status_code == 200
    assert again.json() == {"replayed": True, "shipment_ids": [], "new_scans": 0,
                            "unknown_tracking_numbers": []}  # fmt: skip
    assert counts(uow) == before == (1, 1)


def test_an_older_scan_arriving_late_never_moves_the_status_back(server, uow, shipped):
    store_id, ret, shipment = shipped
    post(server, tracker_event("evt_2", tracker(DELIVERED)))

    late = post(server, tracker_event("evt_1", tracker(IN_TRANSIT)))

    assert late.json()["new_scans"] == 1
    view = shipments.get_shipment(uow, store_id, shipment.id, server.clock.now())
    assert view.shipment.status == "delivered"
    assert sorted(e.status for e in view.tracking_events) == ["delivered", "in_transit"]
    shown = queries.get_return(uow, store_id, ret.id)
    assert (shown.status.value, shown.arrived_at.isoformat()) == (
        "in_transit", "2026-03-05T12:30:00+00:00",
    )  # fmt: skip
    names = [event.name for event in queries.return_events(uow, store_id, ret.id)]
    assert names.count("return.arrived") == 1


def test_an_event_that_is_not_about_tracking_is_taken_in_and_ignored(server, uow, shipped):
    body = json.dumps({"id": "evt_9", "object": "Event", "description": "batch.updated",
                       "result": {"id": "batch_1"}}).encode()  # fmt: skip

    answer = post(server, body)

    assert (answer.status_code, answer.json()["shipment_ids"]) == (200, [])
    assert counts(uow) == (0, 1)


def test_an_unknown_carrier_is_not_found(server, shipped):
    answer = httpx.post(f"{server.base_url}/api/v1/carriers/nope/webhooks", content=b"{}")

    assert answer.status_code == 404


def at_once(server, body: bytes) -> list[httpx.Response]:
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def send() -> None:
        barrier.wait()
        answers.append(post(server, body))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.postgres_only
def test_the_same_delivery_twice_at_once_is_taken_in_once(server, uow, shipped):
    for round_number in range(4):
        body = tracker_event(f"evt_race_{round_number}", tracker(IN_TRANSIT))
        answers = at_once(server, body)

        assert sorted((a.status_code, a.json()["replayed"]) for a in answers) == [
            (200, False), (200, True),
        ]  # fmt: skip
        assert counts(uow) == (1, round_number + 1)  # one scan: it is the same one each time


def test_a_body_over_one_mebibyte_is_refused_unread_and_changes_nothing(server, uow, shipped):
    body = b"{" + b" " * (1024 * 1024) + b"}"

    answer = post(server, body)

    assert (answer.status_code, answer.json()["code"]) == (413, "payload_too_large")
    assert counts(uow) == (0, 0)
