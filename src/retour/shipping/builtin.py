"""The built-in carrier: no account, no network. It makes the label, its ZPL version and the
drop-off QR code itself; the parcel then travels with whichever carrier the store hands it
to, and staff mark the return in transit (the built-in carrier never scans)."""

from __future__ import annotations

from collections.abc import Mapping

from retour.domain.shipments import Scan, ShipmentMethod, builtin_tracking_number
from retour.shipping.base import (
    Document,
    DocumentKind,
    Label,
    LabelRequest,
    TrackingDelivery,
    WebhookSignatureInvalid,
)
from retour.shipping.label_content import LabelContent
from retour.shipping.label_pdf import label_pdf
from retour.shipping.label_zpl import label_zpl
from retour.shipping.qr import qr_matrix, qr_png

NAME = "builtin"
SERVICE = "standard"


def qr_payload(tracking_number: str, rma_number: str) -> str:
    """`RETOUR:<tracking number>:<RMA number>`: upper-case letters, digits, `:` and `-`
    only, so the QR code uses its compact alphanumeric mode (a smaller code, easier to scan)."""
    return f"RETOUR:{tracking_number}:{rma_number}".upper()


class BuiltinCarrier:
    name = NAME

    def create_label(self, request: LabelRequest) -> Label:
        tracking_number = builtin_tracking_number(request.shipment_id)
        payload = qr_payload(tracking_number, request.rma_number)
        content = LabelContent(
            tracking_number=tracking_number,
            rma_number=request.rma_number,
            from_address=request.from_address,
            to_address=request.to_address,
            parcels=request.parcels,
            qr_payload=payload,
            service=f"Retour built-in · {SERVICE}",
            expires_on=request.expires_at.date(),
        )
        matrix = qr_matrix(payload)
        documents = [
            Document(DocumentKind.LABEL_PDF, label_pdf(content, matrix)),
            Document(DocumentKind.LABEL_ZPL, label_zpl(content)),
        ]
        if request.method is ShipmentMethod.QR_DROP_OFF:
            documents.append(Document(DocumentKind.QR_PNG, qr_png(matrix)))
        return Label(
            tracking_number=tracking_number,
            service=SERVICE,
            documents=tuple(documents),
            carrier_reference=tracking_number,
            qr_payload=payload,
        )

    def void_label(self, tracking_number: str, carrier_reference: str) -> None:
        """Nothing to tell anyone: Retour stops handing the label out."""

    def fetch_tracking(self, tracking_number: str, carrier_reference: str) -> list[Scan]:
        return []

    def parse_tracking_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackingDelivery:
        raise WebhookSignatureInvalid("the built-in carrier sends no tracking webhooks")
