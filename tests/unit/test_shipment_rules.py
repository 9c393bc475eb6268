"""The shipment rules: built-in tracking numbers, the status tracking gives, what can be
voided, when a label can be handed out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retour.domain.shipments import (
    LabelStatus,
    Scan,
    ShipmentStatus,
    builtin_tracking_number,
    current_status,
    is_builtin_tracking_number,
    is_voidable,
    label_unavailable_because,
    luhn_check_digit,
)

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_tracking_numbers_are_derived_from_the_shipment_id_with_a_check_digit():
    assert builtin_tracking_number(1) == "RT00000000018"
    assert builtin_tracking_number(42) == "RT00000000422"
    assert builtin_tracking_number(9_999_999_999) == "RT99999999990"
    assert builtin_tracking_number(42) == builtin_tracking_number(42)
    assert luhn_check_digit("7992739871") == "3"  # the textbook example
    with pytest.raises(ValueError):
        builtin_tracking_number(10**10)
    with pytest.raises(ValueError):
        builtin_tracking_number(0)


def test_the_check_digit_catches_every_single_digit_error_and_neighbour_swaps():
    number = builtin_tracking_number(3_141_592_653)
    digits = number[2:]

    assert is_builtin_tracking_number(number)
    for position in range(len(digits)):
        for wrong in "0123456789":
            if wrong != digits[position]:
                typo = f"RT{digits[:position]}{wrong}{digits[position + 1 :]}"
                assert not is_builtin_tracking_number(typo), typo
    for position in range(len(digits) - 1):
        a, b = digits[position], digits[position + 1]
        if a != b and {a, b} != {"0", "9"}:  # Luhn's one blind spot: 09 ↔ 90
            swapped = f"RT{digits[:position]}{b}{a}{digits[position + 2 :]}"
            assert not is_builtin_tracking_number(swapped), swapped
    assert not is_builtin_tracking_number("XX" + digits)
    assert not is_builtin_tracking_number(number[:-1])
    assert not is_builtin_tracking_number("RT٠٠٠٠٠٠٠٠٠١٨")  # Arabic-Indic digits


def scan(event_id: str, status: ShipmentStatus, minutes: int) -> Scan:
    return Scan(event_id, status, T0 + timedelta(minutes=minutes))


def test_the_latest_scan_gives_the_status_whatever_order_they_arrive_in():
    scans = [
        scan("e1", ShipmentStatus.PRE_TRANSIT, 0),
        scan("e3", ShipmentStatus.DELIVERED, 30),
        scan("e2", ShipmentStatus.IN_TRANSIT, 10),
    ]

    assert current_status(scans) is ShipmentStatus.DELIVERED
    assert current_status(reversed(scans)) is ShipmentStatus.DELIVERED
    assert current_status([]) is None
    # An exception cleared by a later scan: time decides, not how bad a status sounds.
    cleared = [scan("a", ShipmentStatus.EXCEPTION, 5), scan("b", ShipmentStatus.IN_TRANSIT, 6)]
    assert current_status(cleared) is ShipmentStatus.IN_TRANSIT


def test_scans_at_the_same_moment_are_ordered_by_their_event_id():
    same_time = [
        scan("b", ShipmentStatus.OUT_FOR_DELIVERY, 1),
        scan("a", ShipmentStatus.IN_TRANSIT, 1),
    ]

    assert current_status(same_time) is ShipmentStatus.OUT_FOR_DELIVERY
    assert current_status(list(reversed(same_time))) is ShipmentStatus.OUT_FOR_DELIVERY


def test_only_an_unscanned_label_can_be_voided():
    assert [status for status in ShipmentStatus if is_voidable(status)] == [
        ShipmentStatus.PRE_TRANSIT
    ]


@pytest.mark.parametrize(
    ("label_status", "status", "now", "expected"),
    [
        (LabelStatus.ISSUED, ShipmentStatus.PRE_TRANSIT, T0, None),
        (LabelStatus.PENDING, ShipmentStatus.PRE_TRANSIT, T0, "pending"),
        (LabelStatus.FAILED, ShipmentStatus.PRE_TRANSIT, T0, "failed"),
        (LabelStatus.ISSUED, ShipmentStatus.VOIDED, T0, "voided"),
        (LabelStatus.ISSUED, ShipmentStatus.PRE_TRANSIT, T0 + timedelta(days=30), "expired"),
        # Scanned already: it can be printed again for the paperwork, whatever the date.
        (LabelStatus.ISSUED, ShipmentStatus.IN_TRANSIT, T0 + timedelta(days=40), None),
    ],
)
def test_when_a_label_can_be_handed_out(label_status, status, now, expected):
    assert label_unavailable_because(label_status, status, T0 + timedelta(days=30), now) == (
        expected
    )
