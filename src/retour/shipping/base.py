"""The small protocol every carrier speaks, what it is given and what it answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from retour.domain.addresses import Address
from retour.domain.shipments import Scan, ShipmentMethod


class DocumentKind(StrEnum):
    LABEL_PDF = "label_pdf"
    LABEL_ZPL = "label_zpl"
    QR_PNG = "qr_png"


MEDIA_TYPES: Mapping[DocumentKind, str] = {
    DocumentKind.LABEL_PDF: "application/pdf",
    DocumentKind.LABEL_ZPL: "application/zpl",
    DocumentKind.QR_PNG: "image/png",
}


@dataclass(frozen=True)
class LabelRequest:
    """A label for one return, from the shopper to the store's return location."""

    #: Retour's shipment id: the carrier's idempotency key (asking twice buys one label).
    shipment_id: int
    #: The RMA number, printed on the label and given to the carrier as the reference.
    rma_number: str
    method: ShipmentMethod
    parcels: int
    from_address: Address
    to_address: Address
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    content: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


@dataclass(frozen=True)
class ParcelLabel:
    """One parcel's own tracking number and the carrier's id for its label."""

    tracking_number: str
    carrier_reference: str


@dataclass(frozen=True)
class Label:
    tracking_number: str
    service: str
    documents: tuple[Document, ...]
    #: The carrier's own id for the shipment (to void it or ask for tracking); may be empty.
    carrier_reference: str = ""
    #: What the carrier charged, in minor units of `currency`; None when it charges nothing
    #: of its own (the built-in carrier: the store's `label_cost` is recorded instead).
    cost: int | None = None
    currency: str = ""
    #: What the drop-off QR code holds (qr_drop_off), as the drop-off point scans it.
    qr_payload: str = ""
    #: Each parcel's own label when the carrier gives every parcel its own tracking number
    #: (the first is `tracking_number` and `carrier_reference`); empty when one tracking
    #: number serves all the parcels.
    parcels: tuple[ParcelLabel, ...] = ()


@dataclass(frozen=True)
class TrackingNotice:
    """Scans a carrier pushed (tracking webhook) for one of its tracking numbers."""

    tracking_number: str
    scans: tuple[Scan, ...]


@dataclass(frozen=True)
class TrackingDelivery:
    """One tracking webhook delivery whose signature verified."""

    #: The carrier's id for the delivery (EasyPost's event id): the same again is a replay.
    delivery_id: str
    #: Empty for events that are not about tracking (they are taken in and ignored).
    notices: tuple[TrackingNotice, ...]


@dataclass(frozen=True)
class CarrierAccount:
    """A store's account with a carrier: what the carrier's adapter is built from."""

    carrier: str
    api_key: str = field(repr=False)
    #: What the carrier signs its webhooks with; empty: every webhook is refused.
    webhook_secret: str = field(default="", repr=False)
    #: The carrier's service to buy; empty: the cheapest rate.
    service: str = ""
    #: Off: no new labels are bought here (shipments bought before are still served).
    is_active: bool = True


class CarrierRefused(Exception):
    """The carrier said no (an address it cannot serve, a label already used, …).

    `reason` is in the carrier's words and safe to show staff: carriers build it with
    `scrubbed`, so no credential is ever in it. Asking again unchanged will not help.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WebhookSignatureInvalid(CarrierRefused):
    """A webhook whose signature does not verify with the account's secret: not the carrier's."""


class CarrierUnavailable(Exception):
    """The carrier could not be reached or kept failing (timeouts, 429, 5xx after retries).

    The outcome is unknown: a retry must reuse the same shipment id, so a label the carrier
    did create is not bought twice.
    """


class Carrier(Protocol):
    """Built from the installation's settings; credentials stay inside the adapter."""

    name: str

    def create_label(self, request: LabelRequest) -> Label:
        """Buy (or make) the label; refusals raise CarrierRefused, outages CarrierUnavailable."""
        ...

    def void_label(self, tracking_number: str, carrier_reference: str) -> None:
        """Cancel an unused label (the carrier refunds it where it charges); for a label
        with `parcels`, called once per parcel."""
        ...

    def fetch_tracking(self, tracking_number: str, carrier_reference: str) -> list[Scan]:
        """Every scan the carrier has for the parcel so far, oldest first; for a label with
        `parcels`, called once per parcel."""
        ...

    def parse_tracking_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackingDelivery:
        """Scans from the carrier's tracking webhook (header names in lower case);
        WebhookSignatureInvalid when its signature does not verify, CarrierRefused when it
        verifies but cannot be read."""
        ...


def scrubbed(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (API keys, webhook secrets) replaced: for errors and logs."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
