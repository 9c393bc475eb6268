"""The packing slip that goes in the parcel: the RMA number as a Code 128 barcode (the
warehouse scans it to find the return), the addresses and the approved lines."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from retour.domain.addresses import Address, address_lines
from retour.shipping.label_content import latin_text

#: Where Letter paper is the norm; A4 everywhere else.
_LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH"})
_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=10, textColor=colors.grey)
_TITLE = ParagraphStyle("title", parent=_BODY, fontName="Helvetica-Bold", fontSize=18, leading=22)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontName="Helvetica-Bold")


@dataclass(frozen=True)
class SlipLine:
    sku: str
    title: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class PackingSlip:
    rma_number: str
    order_number: str
    store_name: str
    customer_email: str
    approved_on: date
    to_address: Address
    from_address: Address
    lines: Sequence[SlipLine]


def packing_slip_pdf(slip: PackingSlip) -> bytes:
    """The slip on the paper of the return location's country; as many pages as it takes."""
    buffer = io.BytesIO()
    pagesize = LETTER if slip.to_address.country in _LETTER_COUNTRIES else A4
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Packing slip {slip.rma_number}",
        author="Retour",
        invariant=1,
    )
    width = pagesize[0] - 36 * mm
    document.build(
        [
            _header(slip, width),
            Spacer(1, 8 * mm),
            _addresses(slip, width),
            Spacer(1, 8 * mm),
            _lines(slip, width),
            Spacer(1, 6 * mm),
            _text(
                "Put this slip in the parcel with the items above, and stick the return "
                "label on the outside.",
                _BODY,
            ),
        ]
    )
    return buffer.getvalue()


def _header(slip: PackingSlip, width: float) -> Table:
    barcode = Code128(slip.rma_number, barWidth=1.2, barHeight=16 * mm, humanReadable=True)
    facts = [
        _text(slip.store_name, _HEADING),
        _text("Return packing slip", _TITLE),
        _text(f"Return {slip.rma_number} · order {slip.order_number}", _BODY),
        _text(f"{slip.customer_email} · approved {slip.approved_on.isoformat()}", _SMALL),
    ]
    table = Table([[facts, barcode]], colWidths=[width - barcode.width, barcode.width])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _addresses(slip: PackingSlip, width: float) -> Table:
    def block(heading: str, address: Address) -> list[Paragraph]:
        lines = address_lines(address) if not address.is_empty() else ["(not known)"]
        return [_text(heading, _HEADING), *(_text(line, _BODY) for line in lines)]

    table = Table(
        [[block("Send to", slip.to_address), block("From", slip.from_address)]],
        colWidths=[width / 2, width / 2],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lines(slip: PackingSlip, width: float) -> Table:
    rows: list[list[object]] = [
        [_text(name, _HEADING) for name in ("SKU", "Item", "Quantity", "Reason")]
    ]
    rows += [
        [_text(line.sku, _BODY), _text(line.title, _BODY), str(line.quantity),
         _text(line.reason.replace("_", " "), _BODY)]
        for line in slip.lines
    ]  # fmt: skip
    table = Table(
        rows,
        colWidths=[width * 0.24, width * 0.46, width * 0.12, width * 0.18],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ("FONTNAME", (2, 1), (2, -1), "Helvetica"),
            ]
        )
    )
    return table


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(latin_text(text)), style)
