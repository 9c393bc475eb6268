"""EasyPost orders: a return of several parcels, each with its own label, bought together.

An EasyPost Order groups shipments with the same addresses, one per parcel. It is created
with `is_return`, the Retour shipment's reference (`R-100231/42`) and one shipment per parcel
carrying the parcel's reference (`R-100231/42/2`), then bought with one carrier and service:
the cheapest that rates every parcel, or the account's service. Each parcel gets its own
tracking code and label; Retour keeps one PDF with a page per parcel and one ZPL with a
format per parcel, in the parcels' order, and the sum of what the parcels cost.

Bought once however often asked, like a single label: the account's purchases since the
Retour shipment was recorded are looked through for the parcels' references before an order
is created (an earlier attempt bought it: its answer lost, a crash before it was recorded),
and a buy whose answer is lost or refused is checked on the order itself.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from retour.shipping.base import (
    CarrierRefused,
    CarrierUnavailable,
    Document,
    DocumentKind,
    Label,
    LabelRequest,
    ParcelLabel,
)
from retour.shipping.easypost_http import EasyPostClient
from retour.shipping.easypost_purchases import (
    label_files,
    minor_units,
    parcel_fields,
    purchases_since,
    return_addresses,
    service_of,
)


def order_label(
    client: EasyPostClient, request: LabelRequest, reference: str, service: str
) -> Label:
    """The labels of the request's parcels, bought as one order (once per Retour shipment)."""
    bought = _bought_before(client, request, reference)
    if bought is None:
        created = client.post("/orders", {"order": _order(request, reference)})
        bought = _buy(client, created, _chosen_service(created, service), reference)
    return _label(client, bought)


def parcel_reference(reference: str, position: int) -> str:
    """The reference of one parcel's EasyPost shipment: the Retour shipment's and its number."""
    return f"{reference}/{position}"


def _order(request: LabelRequest, reference: str) -> dict[str, Any]:
    return {
        **return_addresses(request),
        "reference": reference,
        "shipments": [
            parcel_fields(request, parcel_reference(reference, position))
            for position in range(1, request.parcels + 1)
        ],
    }


def _bought_before(
    client: EasyPostClient, request: LabelRequest, reference: str
) -> list[dict[str, Any]] | None:
    """The parcels' shipments an earlier attempt bought, in the parcels' order; None when it
    bought none. Some of them only (never one order's doing) is refused: buying again would
    pay twice for those."""
    wanted = {parcel_reference(reference, n): n for n in range(1, request.parcels + 1)}
    found: dict[int, dict[str, Any]] = {}
    for shipment in purchases_since(client, request.created_at):
        position = wanted.get(str(shipment.get("reference") or ""))
        if position is not None:
            found.setdefault(position, shipment)
        if len(found) == request.parcels:
            return [found[n] for n in sorted(found)]
    if found:
        raise CarrierRefused(
            f"EasyPost has {len(found)} of the {request.parcels} parcels of {reference} bought "
            "before, not all: refund those in EasyPost and ask for a new label"
        )
    return None


def _chosen_service(order: Mapping[str, Any], service: str) -> tuple[str, str]:
    """(carrier, service) of the cheapest rate every parcel has (of `service` if given)."""
    totals: dict[tuple[str, str], int] | None = None
    for shipment in order.get("shipments") or []:
        rates = {
            (str(rate.get("carrier", "")), str(rate.get("service", ""))): minor_units(
                str(rate.get("rate", ""))
            )
            for rate in shipment.get("rates") or []
            if rate.get("id") and (not service or rate.get("service") == service)
        }
        priced = {key: amount for key, amount in rates.items() if amount is not None}
        totals = (
            priced
            if totals is None
            else {key: totals[key] + priced[key] for key in totals.keys() & priced.keys()}
        )
    if not totals:
        messages = "; ".join(str(m.get("message", "")) for m in order.get("messages") or [])
        wanted = f" for service {service}" if service else ""
        raise CarrierRefused(
            f"EasyPost has no rate{wanted} common to every parcel"
            + (f": {messages}" * bool(messages))
        )
    return min(totals, key=lambda key: (totals[key], key))


def _buy(
    client: EasyPostClient, order: Mapping[str, Any], choice: tuple[str, str], reference: str
) -> list[dict[str, Any]]:
    """Buy the order; if the answer is lost or refused, the order itself says whether the
    purchase went through (a retried buy of a bought order is refused)."""
    path = f"/orders/{order['id']}"
    carrier, service = choice
    try:
        bought = client.post(f"{path}/buy", {"carrier": carrier, "service": service})
    except (CarrierUnavailable, CarrierRefused):
        current = client.get(path)
        if not _is_bought(current):
            raise
        bought = current
    if not _is_bought(bought):
        raise CarrierRefused(f"EasyPost bought order {order['id']} without every parcel's label")
    return _in_parcel_order(bought["shipments"], reference)


def _is_bought(order: Mapping[str, Any]) -> bool:
    shipments = order.get("shipments") or []
    return bool(shipments) and all(
        shipment.get("postage_label") and shipment.get("tracking_code") for shipment in shipments
    )


def _in_parcel_order(shipments: Sequence[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    """By the parcel number in their references; as EasyPost listed them where it has none."""

    def position(indexed: tuple[int, dict[str, Any]]) -> tuple[int, int]:
        index, shipment = indexed
        suffix = str(shipment.get("reference") or "").removeprefix(f"{reference}/")
        return (int(suffix), index) if suffix.isdigit() else (index + 1, index)

    return [shipment for _, shipment in sorted(enumerate(shipments), key=position)]


def _label(client: EasyPostClient, shipments: Sequence[dict[str, Any]]) -> Label:
    pdfs, zpls = zip(*(label_files(client, shipment) for shipment in shipments), strict=True)
    rates = [shipment.get("selected_rate") or {} for shipment in shipments]
    costs = [minor_units(str(rate.get("rate", ""))) for rate in rates]
    parcels = tuple(
        ParcelLabel(str(shipment["tracking_code"]), str(shipment["id"])) for shipment in shipments
    )
    return Label(
        tracking_number=parcels[0].tracking_number,
        service=service_of(rates[0]),
        documents=(
            Document(DocumentKind.LABEL_PDF, concatenated_pdf(pdfs)),
            Document(DocumentKind.LABEL_ZPL, b"".join(zpl.rstrip() + b"\n" for zpl in zpls)),
        ),
        carrier_reference=parcels[0].carrier_reference,
        cost=None if None in costs else sum(cost or 0 for cost in costs),
        currency=str(rates[0].get("currency", "")),
        parcels=parcels,
    )


def concatenated_pdf(pdfs: Sequence[bytes]) -> bytes:
    """One PDF with the pages of each, in order."""
    writer = PdfWriter()
    for pdf in pdfs:
        try:
            writer.append(PdfReader(io.BytesIO(pdf)))
        except (PyPdfError, ValueError, KeyError) as error:
            raise CarrierUnavailable(
                f"EasyPost sent a label PDF that cannot be read: {error}"
            ) from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
