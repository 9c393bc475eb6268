"""Shipments: how a return travels back, its label, and what tracking says of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ShipmentMethod(StrEnum):
    """What the shopper gets: a label to print, or a code to show at a drop-off point."""

    PREPAID_LABEL = "prepaid_label"
    QR_DROP_OFF = "qr_drop_off"


class LabelStatus(StrEnum):
    """The label's purchase, kept apart from where the parcel is.

    `pending` is recorded (and committed) before the carrier is asked; `issued` or `failed`
    when it has answered. A crash in between leaves `pending`, which the same request (same
    Idempotency-Key) finishes.
    """

    PENDING = "pending"
    ISSUED = "issued"
    FAILED = "failed"


class ShipmentStatus(StrEnum):
    """Where the parcel is, in carrier-independent words (every carrier maps onto these)."""

    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    FAILURE = "failure"
    VOIDED = "voided"


#: A scan with one of these says the carrier has the parcel: the return is in transit.
CARRIER_HAS_IT: frozenset[ShipmentStatus] = frozenset(
    {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.EXCEPTION,
        ShipmentStatus.RETURNED_TO_SENDER,
    }
)
#: Statuses a carrier may report (voided is ours alone).
TRACKING_STATUSES: frozenset[ShipmentStatus] = frozenset(ShipmentStatus) - {ShipmentStatus.VOIDED}


@dataclass(frozen=True)
class Scan:
    """One tracking event as the carrier reported it, its status already normalised."""

    carrier_event_id: str
    status: ShipmentStatus
    occurred_at: datetime
    location: str = ""
    description: str = ""


def current_status(scans: Iterable[Scan]) -> ShipmentStatus | None:
    """What the latest scan says; an older scan arriving late never moves it back.

    Scans at the same moment are ordered by the carrier's event id, so the answer does not
    depend on the order they arrived in.
    """
    latest = max(scans, key=lambda scan: (scan.occurred_at, scan.carrier_event_id), default=None)
    return None if latest is None else latest.status


def is_voidable(status: ShipmentStatus) -> bool:
    """Only an unused label can be voided: once scanned, the parcel is on its way."""
    return status is ShipmentStatus.PRE_TRANSIT


def label_unavailable_because(
    label_status: LabelStatus, status: ShipmentStatus, expires_at: datetime, now: datetime
) -> str | None:
    """Why the label cannot be handed out now (`pending`, `failed`, `voided`, `expired`), or
    None when it can. A label already scanned can still be printed again (for the parcel's
    paperwork); an unused one past its date cannot."""
    if label_status is not LabelStatus.ISSUED:
        return label_status.value
    if status is ShipmentStatus.VOIDED:
        return status.value
    if status is ShipmentStatus.PRE_TRANSIT and now >= expires_at:
        return "expired"
    return None


# -- the built-in carrier's tracking numbers ------------------------------------------------

BUILTIN_PREFIX = "RT"
_BUILTIN_DIGITS = 10


def builtin_tracking_number(shipment_id: int) -> str:
    """`RT` + the shipment id in 10 digits + a Luhn check digit: `RT00000000422` for id 42.

    Derived from the id, so asking again for the same shipment gives the same number, and
    unique within an installation without a counter.
    """
    if not 0 < shipment_id < 10**_BUILTIN_DIGITS:
        raise ValueError(f"shipment id {shipment_id} does not fit {_BUILTIN_DIGITS} digits")
    digits = f"{shipment_id:0{_BUILTIN_DIGITS}d}"
    return f"{BUILTIN_PREFIX}{digits}{luhn_check_digit(digits)}"


def is_builtin_tracking_number(text: str) -> bool:
    """True for a well-formed built-in tracking number whose check digit is right."""
    digits = text.removeprefix(BUILTIN_PREFIX)
    return (
        text.startswith(BUILTIN_PREFIX)
        and len(digits) == _BUILTIN_DIGITS + 1
        and digits.isascii()
        and digits.isdigit()
        and luhn_check_digit(digits[:-1]) == digits[-1]
    )


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) digit that makes `digits` + it pass: catches every single-digit
    error and most swaps of neighbours."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)
