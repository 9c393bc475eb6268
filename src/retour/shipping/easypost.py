"""EasyPost: return labels bought from real carriers, their trackers and tracker webhooks.

Off unless a store has an account (`retour shipments account-set … easypost`): the adapter is
built per account, holding its API key and webhook secret, which never appear in its repr,
its errors or its logs.

A return label is an EasyPost shipment with `is_return: true`. EasyPost swaps the addresses
of a return shipment (they are given as for the original delivery), so the shopper is sent
as `to_address` and the store's return location as `from_address`. The cheapest rate is
bought unless the account names a service. Each label comes with a tracker; its
`tracking_details` are the scans (EasyPost gives them no ids: one is derived from the
tracker, the moment and the status, so the same scan seen twice is stored once).

A label of several parcels is an EasyPost Order instead, one shipment per parcel, each with
its own label and tracker (easypost_orders.py); Retour asks about and voids each parcel.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from retour.domain.shipments import Scan, ShipmentMethod, ShipmentStatus
from retour.shipping.base import (
    CarrierAccount,
    CarrierRefused,
    CarrierUnavailable,
    Document,
    DocumentKind,
    Label,
    LabelRequest,
    TrackingDelivery,
    TrackingNotice,
    WebhookSignatureInvalid,
)
from retour.shipping.easypost_http import API_URL, EasyPostClient
from retour.shipping.easypost_orders import order_label
from retour.shipping.easypost_purchases import (
    label_files,
    minor_units,
    parcel_fields,
    purchases_since,
    return_addresses,
    service_of,
)

NAME = "easypost"
SIGNATURE_HEADER = "x-hmac-signature"
SIGNATURE_PREFIX = "hmac-sha256-hex="
#: EasyPost's tracking statuses in ours; `unknown` scans say nothing and are left out.
STATUSES: Mapping[str, ShipmentStatus] = {
    "pre_transit": ShipmentStatus.PRE_TRANSIT,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "out_for_delivery": ShipmentStatus.OUT_FOR_DELIVERY,
    "available_for_pickup": ShipmentStatus.OUT_FOR_DELIVERY,
    "delivered": ShipmentStatus.DELIVERED,
    "return_to_sender": ShipmentStatus.RETURNED_TO_SENDER,
    "failure": ShipmentStatus.FAILURE,
    "cancelled": ShipmentStatus.FAILURE,
    "error": ShipmentStatus.EXCEPTION,
}


def signature_of(secret: str, body: bytes) -> str:
    """The `X-Hmac-Signature` EasyPost sends: HMAC-SHA256 (hex) of the raw body, keyed with
    the webhook secret (NFKD-normalised, as EasyPost does)."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


class EasyPostCarrier:
    name = NAME

    def __init__(self, account: CarrierAccount, client: EasyPostClient | None = None) -> None:
        self._client = client or EasyPostClient(account.api_key)
        self._webhook_secret = account.webhook_secret
        self._service = account.service

    def __repr__(self) -> str:
        return "EasyPostCarrier()"

    def create_label(self, request: LabelRequest) -> Label:
        """Buy the label, once per Retour shipment however often asked: a label bought for
        this shipment before (an answer lost, a crash before it was recorded) is found among
        the account's purchases since the shipment was made, by its reference, and used.
        Several parcels are bought as one EasyPost order, a label each."""
        if request.method is not ShipmentMethod.PREPAID_LABEL:
            raise CarrierRefused("EasyPost makes printed labels only (no QR drop-off codes)")
        reference = shipment_reference(request)
        if request.parcels > 1:
            return order_label(self._client, request, reference, self._service)
        purchases = purchases_since(self._client, request.created_at)
        bought = next((s for s in purchases if s.get("reference") == reference), None)
        if bought is None:
            created = self._client.post("/shipments", {"shipment": _shipment(request, reference)})
            bought = self._buy(created, self._chosen_rate(created))
        return self._label(bought)

    def _buy(self, created: dict[str, Any], rate: dict[str, Any]) -> dict[str, Any]:
        """Buy `rate`; if the answer is lost or refused, the shipment itself says whether the
        purchase went through (a retried buy of a bought shipment is refused)."""
        path = f"/shipments/{created['id']}"
        try:
            return self._client.post(f"{path}/buy", {"rate": {"id": rate["id"]}})
        except (CarrierUnavailable, CarrierRefused):
            current = self._client.get(path)
            if current.get("postage_label") and current.get("tracking_code"):
                return current
            raise

    def _label(self, bought: dict[str, Any]) -> Label:
        pdf, zpl = label_files(self._client, bought)
        selected = bought.get("selected_rate") or {}
        return Label(
            tracking_number=str(bought["tracking_code"]),
            service=service_of(selected),
            documents=(
                Document(DocumentKind.LABEL_PDF, pdf),
                Document(DocumentKind.LABEL_ZPL, zpl),
            ),
            carrier_reference=str(bought["id"]),
            cost=minor_units(str(selected.get("rate", ""))),
            currency=str(selected.get("currency", "")),
        )

    def void_label(self, tracking_number: str, carrier_reference: str) -> None:
        refunded = self._client.post(f"/shipments/{carrier_reference}/refund", {})
        if refunded.get("refund_status") == "rejected":
            raise CarrierRefused(f"EasyPost rejected the refund of {tracking_number}")

    def fetch_tracking(self, tracking_number: str, carrier_reference: str) -> list[Scan]:
        shipment = self._client.get(f"/shipments/{carrier_reference}")
        tracker = shipment.get("tracker") or {}
        return sorted(scans_of(tracker), key=lambda scan: scan.occurred_at)

    def parse_tracking_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackingDelivery:
        given = headers.get(SIGNATURE_HEADER, "")
        if not self._webhook_secret or not hmac.compare_digest(
            given.encode(), signature_of(self._webhook_secret, body).encode()
        ):
            raise WebhookSignatureInvalid("the X-Hmac-Signature does not verify")
        try:
            event = json.loads(body)
            delivery_id = str(event["id"])
            description = str(event.get("description", ""))
            result = event.get("result") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CarrierRefused("not an EasyPost Event object") from None
        if not description.startswith("tracker.") or not result.get("tracking_code"):
            return TrackingDelivery(delivery_id, ())
        notice = TrackingNotice(str(result["tracking_code"]), tuple(scans_of(result)))
        return TrackingDelivery(delivery_id, (notice,))

    def _chosen_rate(self, shipment: dict[str, Any]) -> dict[str, Any]:
        rates = [rate for rate in shipment.get("rates") or [] if rate.get("id")]
        if self._service:
            rates = [rate for rate in rates if rate.get("service") == self._service]
        if not rates:
            messages = "; ".join(str(m.get("message", "")) for m in shipment.get("messages") or [])
            wanted = f" for service {self._service}" if self._service else ""
            raise CarrierRefused(
                f"EasyPost has no rate{wanted}" + (f": {messages}" * bool(messages))
            )
        return min(rates, key=lambda rate: minor_units(str(rate.get("rate", ""))) or 0)


def scans_of(tracker: Mapping[str, Any]) -> list[Scan]:
    """A tracker's `tracking_details` as scans (unknown statuses and unreadable ones left out)."""
    tracker_id = str(tracker.get("id", ""))
    scans: list[Scan] = []
    for detail in tracker.get("tracking_details") or []:
        status = STATUSES.get(str(detail.get("status", "")))
        try:
            occurred_at = datetime.fromisoformat(str(detail.get("datetime", "")))
        except ValueError:
            continue
        if status is None or occurred_at.tzinfo is None:
            continue
        event_key = f"{tracker_id}|{detail.get('datetime')}|{detail.get('status')}"
        location = detail.get("tracking_location") or {}
        place = ", ".join(
            str(location[part]) for part in ("city", "state", "country") if location.get(part)
        )
        scans.append(
            Scan(
                carrier_event_id=hashlib.sha256(event_key.encode()).hexdigest()[:40],
                status=status,
                occurred_at=occurred_at,
                location=place,
                description=str(detail.get("message") or ""),
            )
        )
    return scans


def shipment_reference(request: LabelRequest) -> str:
    """The EasyPost shipment's reference: the RMA number and Retour's shipment id (a return
    may have several labels), how an earlier purchase for the same shipment is recognised."""
    return f"{request.rma_number}/{request.shipment_id}"


def _shipment(request: LabelRequest, reference: str) -> dict[str, Any]:
    return {**return_addresses(request), **parcel_fields(request, reference)}


def easypost_factory(base_url: str = API_URL) -> Callable[[CarrierAccount], EasyPostCarrier]:
    """Builds a store's EasyPost adapter from its account (the registry's factory)."""

    def build(account: CarrierAccount) -> EasyPostCarrier:
        return EasyPostCarrier(account, EasyPostClient(account.api_key, base_url))

    return build
