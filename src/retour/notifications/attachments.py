"""The file an e-mail carries: the label of `return_label_ready` (its PDF for a prepaid label,
its QR code image for a drop-off), read through the same service as `GET
/shipments/{id}/label.pdf` and `…/qr.png`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.shipments import ShipmentMethod
from retour.services.shipments import shipment_document
from retour.shipping.base import MEDIA_TYPES, DocumentKind

#: The largest file attached. Labels are small (a built-in label is 2.5 kB a parcel, a QR
#: code 0.3 kB); a larger one is left to the return's page rather than risk a mail server's
#: message size limit (base64 makes it a third larger again).
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class LabelFile:
    """The label to attach, or why there is none (`not_attached`, for the attempt's log)."""

    attachment: Attachment | None
    not_attached: str = ""


def label_file(
    uow: UnitOfWork, store_id: int, payload: Mapping[str, Any], rma_number: str, now: datetime
) -> LabelFile:
    """The file of a `shipment.created` payload's label: the PDF, or the QR code for a
    drop-off. A label that cannot be handed out, a missing file or one over
    MAX_ATTACHMENT_BYTES gives no attachment: the e-mail still goes, linking to the return's
    page."""
    is_qr_code = payload.get("method") == ShipmentMethod.QR_DROP_OFF.value
    kind = DocumentKind.QR_PNG if is_qr_code else DocumentKind.LABEL_PDF
    try:
        content = shipment_document(uow, store_id, int(payload["shipment_id"]), kind, now)
    except DomainError as error:  # not found, or no longer usable
        return LabelFile(None, f"{kind.value} not attached: {error}")
    if len(content) > MAX_ATTACHMENT_BYTES:
        return LabelFile(
            None,
            f"{kind.value} not attached: {len(content)} bytes, over the "
            f"{MAX_ATTACHMENT_BYTES} bytes an attachment may have",
        )
    name = f"return-{rma_number}-qr-code.png" if is_qr_code else f"return-{rma_number}-label.pdf"
    return LabelFile(Attachment(name, MEDIA_TYPES[kind], content))
