"""What buying EasyPost labels one at a time and as an order share: the account's purchases
since a moment (to find a label an earlier attempt bought), addresses in EasyPost's fields,
amounts in minor units, and a bought shipment's label files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from retour.domain.addresses import Address
from retour.shipping.base import LabelRequest
from retour.shipping.easypost_http import EasyPostClient

#: An earlier purchase for a shipment is looked for from a little before the shipment was
#: recorded (clocks differ), a page of shipments at a time, so many pages at most.
LOOK_BACK = timedelta(minutes=10)
PAGE_SIZE = 100
MAX_PAGES = 10
#: A parcel's weight when the return does not say (EasyPost wants ounces).
DEFAULT_WEIGHT_OZ = 16.0


def purchases_since(client: EasyPostClient, since: datetime) -> Iterator[dict[str, Any]]:
    """The account's purchased shipments (with their label) made since `since`, newest
    first, at most MAX_PAGES pages of them."""
    params = {
        "purchased": "true",
        "start_datetime": (since - LOOK_BACK).isoformat().replace("+00:00", "Z"),
        "page_size": str(PAGE_SIZE),
    }
    for _ in range(MAX_PAGES):
        page = client.get("/shipments", params)
        shipments = page.get("shipments") or []
        for shipment in shipments:
            if shipment.get("postage_label"):
                yield dict(shipment)
        if not page.get("has_more") or not shipments:
            return
        params = {**params, "before_id": str(shipments[-1]["id"])}


def label_files(client: EasyPostClient, bought: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """A bought shipment's label: the PDF, and the same label converted to ZPL."""
    label = bought.get("postage_label") or {}
    pdf = client.download(str(label["label_url"]))
    converted = client.get(f"/shipments/{bought['id']}/label", {"file_format": "ZPL"})
    zpl = client.download(str((converted.get("postage_label") or {})["label_zpl_url"]))
    return pdf, zpl


def return_addresses(request: LabelRequest) -> dict[str, Any]:
    """A return's addresses as EasyPost wants them: given as for the original delivery (the
    shopper as `to_address`), with `is_return`, and EasyPost swaps them."""
    return {
        "is_return": True,
        "to_address": address_of(request.from_address),
        "from_address": address_of(request.to_address),
    }


def parcel_fields(request: LabelRequest, reference: str) -> dict[str, Any]:
    """One parcel's shipment: its weight, its reference, its label printing the RMA number."""
    return {
        "parcel": {"weight": DEFAULT_WEIGHT_OZ},
        "reference": reference,
        "options": {"label_format": "PDF", "print_custom_1": request.rma_number},
    }


def service_of(rate: Mapping[str, Any]) -> str:
    return f"{rate.get('carrier', '')} {rate.get('service', '')}".strip()


def address_of(address: Address) -> dict[str, str]:
    return {
        "name": address.name,
        "company": address.company,
        "street1": address.line1,
        "street2": address.line2,
        "city": address.city,
        "state": address.region,
        "zip": address.postal_code,
        "country": address.country,
        "phone": address.phone,
    }


def minor_units(amount: str) -> int | None:
    try:
        return int(Decimal(amount) * 100)
    except InvalidOperation:
        return None
