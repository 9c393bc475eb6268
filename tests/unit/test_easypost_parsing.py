"""EasyPost's tracker statuses and webhook signatures, read without a network."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from retour.shipping.base import CarrierAccount, CarrierRefused, WebhookSignatureInvalid
from retour.shipping.easypost import EasyPostCarrier, scans_of, signature_of

SECRET = "whsec_unit"


def carrier(secret: str = SECRET) -> EasyPostCarrier:
    return EasyPostCarrier(CarrierAccount("easypost", "EZTK_unit", secret))


def detail(status: str, moment: str = "2026-03-03T08:00:00Z") -> dict[str, object]:
    return {"status": status, "datetime": moment, "message": "m", "tracking_location": {}}


def test_every_easypost_status_maps_onto_ours_and_unknown_ones_are_left_out():
    statuses = [
        "unknown",
        "pre_transit",
        "in_transit",
        "out_for_delivery",
        "available_for_pickup",
        "delivered",
        "return_to_sender",
        "failure",
        "cancelled",
        "error",
        "new_one",
    ]
    tracker = {"id": "trk_1", "tracking_details": [detail(status) for status in statuses]}

    assert [scan.status.value for scan in scans_of(tracker)] == [
        "pre_transit", "in_transit", "out_for_delivery", "out_for_delivery", "delivered",
        "returned_to_sender", "failure", "failure", "exception",
    ]  # fmt: skip


def test_a_scan_keeps_its_moment_and_the_same_scan_has_the_same_id():
    tracker = {
        "id": "trk_1",
        "tracking_details": [detail("delivered", "2026-03-05T13:30:00+01:00")],
    }

    first, again = scans_of(tracker)[0], scans_of(dict(tracker))[0]

    assert first.occurred_at == datetime(2026, 3, 5, 12, 30, tzinfo=UTC)
    assert first.carrier_event_id == again.carrier_event_id
    other = scans_of({"id": "trk_2", "tracking_details": tracker["tracking_details"]})[0]
    assert other.carrier_event_id != first.carrier_event_id


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    body = b'{"id":"evt_1"}'

    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    assert signature_of(SECRET, body) == f"hmac-sha256-hex={expected}"


@pytest.mark.parametrize("secret, header", [
    (SECRET, "hmac-sha256-hex=00"), (SECRET, ""), ("", signature_of("", b"{}")),
])  # fmt: skip
def test_a_signature_that_does_not_verify_is_refused(secret, header):
    with pytest.raises(WebhookSignatureInvalid):
        carrier(secret).parse_tracking_webhook({"x-hmac-signature": header}, b"{}")


def test_a_signed_body_that_is_no_event_is_refused_as_unreadable():
    body = b"[1, 2]"

    with pytest.raises(CarrierRefused, match="not an EasyPost Event object"):
        carrier().parse_tracking_webhook({"x-hmac-signature": signature_of(SECRET, body)}, body)
