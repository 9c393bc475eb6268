"""/api/v1 shipments over real HTTP: labels and drop-off codes that scan, packing slips,
voiding and reissuing, the shipping settings; refusals that change nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.support.barcodes import pdf_barcodes, pdf_text, png_barcodes
from tests.support.shipping_steps import SHIPPED_TO, WAREHOUSE, shipped_order_payload

LABEL = {"method": "prepaid_label"}


def place_return(client, platform_id="1001", approve=True, **address):
    order = client.post("/orders", json=shipped_order_payload(platform_id, **address)).json()
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
    ret = client.post("/returns", json={
        "order_id": order["id"], "resolution": "refund", "return_method": "prepaid_label",
        "lines": [line],
    }).json()  # fmt: skip
    if approve:
        assert client.post(f"/returns/{ret['id']}/approve").status_code == 200
    return ret


@pytest.fixture
def shipping_client(client):
    answer = client.patch("/settings/shipping", json={"return_address": WAREHOUSE})
    assert answer.status_code == 200
    return client


@pytest.fixture
def approved(shipping_client):
    return place_return(shipping_client)


def shipments_of(client, ret):
    return client.get(f"/returns/{ret['id']}/shipments").json()["items"]


def test_a_prepaid_label_is_made_and_its_pdf_scans(shipping_client, approved, server):
    client = shipping_client
    client.patch("/settings/money", json={"label_cost": 450})

    made = client.post(f"/returns/{approved['id']}/shipments", json=LABEL)

    assert made.status_code == 201
    body = made.json()
    tracking, shipment_id = body["tracking_number"], body["id"]
    assert body == {
        "id": shipment_id, "return_id": approved["id"], "number": approved["number"],
        "carrier": "builtin", "service": "standard", "method": "prepaid_label", "parcels": 1,
        "tracking_number": tracking, "tracking_numbers": [tracking], "status": "pre_transit",
        "label_status": "issued",
        "label_error": "", "label_available": True, "label_unavailable_reason": None,
        "label_formats": ["label_pdf", "label_zpl"],
        "documents": {"label_pdf": f"/api/v1/shipments/{shipment_id}/label.pdf",
                      "label_zpl": f"/api/v1/shipments/{shipment_id}/label.zpl"},
        "label_cost": 450, "currency": "EUR",
        "qr_payload": f"RETOUR:{tracking}:{approved['number']}",
        "from_address": SHIPPED_TO, "to_address": WAREHOUSE,
        "created_at": "2026-03-02T09:30:00Z", "expires_at": "2026-04-01T09:30:00Z",
        "voided_at": None, "tracking_events": [],
    }  # fmt: skip
    assert client.get(f"/returns/{approved['id']}").json()["status"] == "approved"
    pdf = client.get(f"/shipments/{shipment_id}/label.pdf")
    assert (pdf.headers["content-type"], pdf.headers["cache-control"]) == (
        "application/pdf", "private, no-store",
    )  # fmt: skip
    assert pdf_barcodes(pdf.content) == [
        {("Code128", tracking), ("QRCode", f"RETOUR:{tracking}:{approved['number']}")}
    ]
    assert pdf_text(pdf.content) == [[
        "RETURN", "Retour built-in · standard", "Parcel 1 of 1",
        "FROM", "Sam Shopper", "12 rue de la Roquette", "75011 Paris", "FRANCE",
        "TO", "Acme Returns", "Acme GmbH", "Lagerstraße 5", "10115 Berlin", "GERMANY",
        tracking, approved["number"], "Use by 2026-04-01",
        "Stick on the parcel over any old label.",
    ]]  # fmt: skip
    assert client.get(f"/shipments/{shipment_id}").json() == body


def test_the_zpl_label_carries_the_same_barcodes(shipping_client, approved):
    body = shipping_client.post(f"/returns/{approved['id']}/shipments", json=LABEL).json()

    zpl = shipping_client.get(f"/shipments/{body['id']}/label.zpl")

    assert zpl.headers["content-type"] == "application/zpl"
    assert f"^BCN,170,Y,N,N,A^FD{body['tracking_number']}^FS" in zpl.text
    assert f"^BQN,2,6^FDMA,{body['qr_payload']}^FS" in zpl.text
    assert "^FH\\^FD12 rue de la Roquette^FS" in zpl.text
    assert shipping_client.get(f"/shipments/{body['id']}/qr.png").json()["code"] == "not_found"


def test_a_qr_drop_off_code_scans_as_its_payload(shipping_client, approved):
    body = shipping_client.post(
        f"/returns/{approved['id']}/shipments", json={"method": "qr_drop_off", "parcels": 2}
    ).json()

    png = shipping_client.get(f"/shipments/{body['id']}/qr.png")
    pdf = shipping_client.get(f"/shipments/{body['id']}/label.pdf")

    assert (body["method"], body["parcels"], body["label_formats"]) == (
        "qr_drop_off", 2, ["label_pdf", "label_zpl", "qr_png"],
    )  # fmt: skip
    assert png.headers["content-type"] == "image/png"
    assert png_barcodes(png.content) == {("QRCode", body["qr_payload"])}
    assert len(pdf_barcodes(pdf.content)) == 2


def test_the_same_idempotency_key_twice_gives_one_shipment(shipping_client, approved):
    url, key = f"/returns/{approved['id']}/shipments", {"Idempotency-Key": "label-7"}

    first = shipping_client.post(url, json=LABEL, headers=key)
    again = shipping_client.post(url, json=LABEL, headers=key)
    other = shipping_client.post(url, json={**LABEL, "parcels": 2}, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert [item["id"] for item in shipments_of(shipping_client, approved)] == [first.json()["id"]]


def test_a_return_not_approved_is_refused_naming_its_status(shipping_client):
    ret = place_return(shipping_client, approve=False)

    refused = shipping_client.post(f"/returns/{ret['id']}/shipments", json=LABEL,
                                   headers={"Idempotency-Key": "k"})  # fmt: skip

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert {key: refused.json()[key] for key in ("code", "action", "current_status", "detail")} == {
        "code": "illegal_transition", "action": "ship", "current_status": "requested",
        "detail": "cannot ship a return that is requested",
    }  # fmt: skip
    assert shipments_of(shipping_client, ret) == []
    names = [e["name"] for e in shipping_client.get(f"/returns/{ret['id']}/events").json()["items"]]
    assert names == ["return.requested"]


@pytest.mark.parametrize(
    ("from_address", "field"),
    [
        ({**SHIPPED_TO, "postal_code": "ABCDE"}, "from_address.postal_code"),
        ({**SHIPPED_TO, "country": "ZZ"}, "from_address.country"),
        ({**SHIPPED_TO, "city": ""}, "from_address.city"),
        ({**SHIPPED_TO, "country": "US", "postal_code": "10001"}, "from_address.region"),
    ],
)
def test_a_bad_address_is_refused_naming_the_field(shipping_client, approved, from_address, field):
    refused = shipping_client.post(
        f"/returns/{approved['id']}/shipments", json={**LABEL, "from_address": from_address}
    )

    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid_request", field)
    assert shipments_of(shipping_client, approved) == []


def test_a_second_label_waits_for_the_first_to_be_voided(shipping_client, approved):
    url = f"/returns/{approved['id']}/shipments"
    first = shipping_client.post(url, json=LABEL).json()

    refused = shipping_client.post(url, json=LABEL)
    voided = shipping_client.post(f"/shipments/{first['id']}/void", json={"reason": "torn"})
    again = shipping_client.post(f"/shipments/{first['id']}/void")
    reissued = shipping_client.post(url, json=LABEL)
    old_pdf = shipping_client.get(f"/shipments/{first['id']}/label.pdf")

    assert (refused.status_code, refused.json()["code"], refused.json()["shipment_id"]) == (
        409, "shipment_exists", first["id"],
    )  # fmt: skip
    assert voided.status_code == 200
    assert {key: voided.json()[key] for key in ("status", "voided_at", "label_available",
                                                 "label_unavailable_reason", "documents")} == {
        "status": "voided", "voided_at": "2026-03-02T09:30:00Z", "label_available": False,
        "label_unavailable_reason": "voided", "documents": {},
    }  # fmt: skip
    assert (again.status_code, again.json()["code"], again.json()["current_status"]) == (
        409, "already_done", "voided",
    )  # fmt: skip
    assert reissued.status_code == 201
    assert reissued.json()["tracking_number"] != first["tracking_number"]
    assert (old_pdf.status_code, old_pdf.json()["code"], old_pdf.json()["current_status"]) == (
        409, "label_unavailable", "voided",
    )  # fmt: skip
    events = shipping_client.get(f"/returns/{approved['id']}/events").json()["items"]
    assert [event["name"] for event in events] == [
        "return.requested", "return.approved", "shipment.created", "shipment.voided",
        "shipment.created",
    ]  # fmt: skip
    assert events[3]["payload"]["reason"] == "torn"


def test_an_expired_label_is_not_handed_out(shipping_client, approved, server):
    body = shipping_client.post(f"/returns/{approved['id']}/shipments", json=LABEL).json()
    server.clock.current += timedelta(days=30)

    expired = shipping_client.get(f"/shipments/{body['id']}/label.pdf")

    assert (expired.status_code, expired.json()["current_status"]) == (409, "expired")
    assert shipping_client.get(f"/shipments/{body['id']}").json()["label_available"] is False


def test_the_packing_slip_scans_as_the_rma_number(shipping_client, approved):
    shipping_client.post(f"/returns/{approved['id']}/shipments", json=LABEL)

    slip = shipping_client.get(f"/returns/{approved['id']}/packing-slip.pdf")

    assert slip.status_code == 200
    assert slip.headers["content-type"] == "application/pdf"
    assert pdf_barcodes(slip.content) == [{("Code128", approved["number"])}]
    text = pdf_text(slip.content)[0]
    assert {"Return packing slip", "Acme Returns", "Sam Shopper", "LINEN-M", "Linen shirt M",
            "too small"} <= set(text)  # fmt: skip


def test_a_requested_return_has_no_packing_slip_yet(shipping_client):
    ret = place_return(shipping_client, approve=False)

    refused = shipping_client.get(f"/returns/{ret['id']}/packing-slip.pdf")

    assert (refused.status_code, refused.json()["current_status"]) == (409, "requested")


def test_another_stores_shipments_and_slips_are_not_found(shipping_client, approved, other_client):
    body = shipping_client.post(f"/returns/{approved['id']}/shipments", json=LABEL).json()

    for path in (f"/shipments/{body['id']}", f"/shipments/{body['id']}/label.pdf",
                 f"/returns/{approved['id']}/shipments",
                 f"/returns/{approved['id']}/packing-slip.pdf"):  # fmt: skip
        assert other_client.get(path).status_code == 404, path
    assert other_client.post(f"/shipments/{body['id']}/void").status_code == 404
    assert shipping_client.get(f"/shipments/{body['id']}").json()["status"] == "pre_transit"


def test_the_shipping_settings_are_read_and_changed_and_refusals_name_the_field(client):
    empty = {name: "" for name in WAREHOUSE}

    before = client.get("/settings/shipping")
    refused = client.patch(
        "/settings/shipping", json={"return_address": {**WAREHOUSE, "postal_code": "1011"}}
    )
    too_long = client.patch("/settings/shipping", json={"label_expiry_days": 400})
    changed = client.patch("/settings/shipping", json={"return_address": WAREHOUSE,
                                                       "label_expiry_days": 10})  # fmt: skip

    assert before.json() == {"return_address": empty, "label_expiry_days": 30}
    assert (refused.status_code, refused.json()["field"]) == (422, "return_address.postal_code")
    assert (too_long.status_code, too_long.json()["errors"][0]["field"]) == (
        422, "label_expiry_days",
    )  # fmt: skip
    assert changed.json() == {"return_address": WAREHOUSE, "label_expiry_days": 10}


def test_orders_show_their_shipping_address(client):
    order = client.post("/orders", json=shipped_order_payload()).json()

    assert {name: order[f"shipping_{name}"] for name in SHIPPED_TO} == SHIPPED_TO


def race(client, path, body, headers):
    barrier = threading.Barrier(2)
    answers = []

    def send():
        barrier.wait()
        answers.append(client.post(path, json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers, key=lambda answer: answer.headers.get("idempotent-replayed", ""))


@pytest.mark.postgres_only
def test_two_requests_at_once_make_one_label(shipping_client):
    for round_number in range(4):
        ret = place_return(shipping_client, f"race-{round_number}")
        path = f"/returns/{ret['id']}/shipments"

        same_key = race(shipping_client, path, LABEL, {"Idempotency-Key": f"r{round_number}"})
        voided = shipping_client.post(f"/shipments/{same_key[0].json()['id']}/void")
        no_key = race(shipping_client, path, LABEL, {})

        assert [answer.status_code for answer in same_key] == [201, 201]
        assert same_key[0].json()["id"] == same_key[1].json()["id"]
        # The second may find the first's label still being made and finish it with it (the
        # carrier is asked for the same shipment id): one label either way.
        assert same_key[0].json() == same_key[1].json()
        assert voided.status_code == 200
        assert sorted(answer.status_code for answer in no_key) == [201, 409]
        assert len(shipments_of(shipping_client, ret)) == 2
        events = shipping_client.get(f"/returns/{ret['id']}/events").json()["items"]
        assert [event["name"] for event in events].count("shipment.created") == 2
