"""The 4×6 inch PDF label: one page per parcel, both addresses, the RMA number, a Code 128
barcode of the tracking number and a QR code."""

from __future__ import annotations

import io

from reportlab import rl_config
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from retour.shipping.label_content import LabelContent, latin_text
from retour.shipping.qr import Matrix, draw_qr, qr_matrix

WIDTH, HEIGHT = 4 * inch, 6 * inch
MARGIN = 14.0
#: Narrowest bar: 1.4 pt ≈ 0.49 mm, well above the 0.25 mm scanners need.
BAR_WIDTH = 1.4
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"

# Streams are only compressed, not also ASCII85-encoded: smaller files, and without
# reportlab's C accelerator the pure-Python encoder costs about 2 ms a label.
rl_config.useA85 = 0


def label_pdf(content: LabelContent, matrix: Matrix | None = None) -> bytes:
    """The label, one page per parcel; `matrix`: the QR code of `content.qr_payload` when the
    caller has it already. `invariant`: the same content gives the same bytes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(f"Return label {content.rma_number} {content.tracking_number}")
    canvas.setAuthor("Retour")
    matrix = matrix or qr_matrix(content.qr_payload)
    for parcel in range(1, content.parcels + 1):
        _draw_page(canvas, content, parcel, matrix)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_page(canvas: Canvas, content: LabelContent, parcel: int, matrix: Matrix) -> None:
    right = WIDTH - MARGIN
    canvas.setFont(BOLD, 20)
    canvas.drawString(MARGIN, HEIGHT - 32, "RETURN")
    canvas.setFont(REGULAR, 7)
    canvas.drawRightString(right, HEIGHT - 20, latin_text(content.service))
    canvas.setFont(BOLD, 10)
    canvas.drawRightString(right, HEIGHT - 32, content.parcel_caption(parcel))
    _rule(canvas, HEIGHT - 42)

    canvas.setFont(BOLD, 7)
    canvas.drawString(MARGIN, HEIGHT - 53, "FROM")
    _block(canvas, content.from_lines(), top=HEIGHT - 63, size=8, leading=9.5, font=REGULAR)
    _rule(canvas, 300)

    canvas.setFont(BOLD, 8)
    canvas.drawString(MARGIN, 289, "TO")
    _block(canvas, content.to_lines(), top=274, size=12, leading=14, font=BOLD)
    _rule(canvas, 168)

    barcode = Code128(
        content.tracking_number, barWidth=BAR_WIDTH, barHeight=54, humanReadable=False
    )
    barcode.drawOn(canvas, (WIDTH - barcode.width) / 2, 104)
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(WIDTH / 2, 90, content.tracking_number)
    _rule(canvas, 82)

    draw_qr(canvas, matrix, MARGIN - 4, 6, 72)
    canvas.setFont(BOLD, 16)
    canvas.drawString(92, 52, content.rma_number)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(92, 38, f"Use by {content.expires_on.isoformat()}")
    canvas.drawString(92, 27, "Stick on the parcel over any old label.")


def _block(
    canvas: Canvas, lines: list[str], *, top: float, size: float, leading: float, font: str
) -> None:
    """Address lines from `top` down, each shrunk (down to 6 pt) or cut to fit the width."""
    width = WIDTH - 2 * MARGIN
    for index, line in enumerate(lines[:7]):
        fitted, fitted_size = _fit(line, font, size, width)
        canvas.setFont(font, fitted_size)
        canvas.drawString(MARGIN, top - index * leading, fitted)


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 0.5
    while len(text) > 1 and stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def _rule(canvas: Canvas, y: float) -> None:
    canvas.setLineWidth(1)
    canvas.line(MARGIN, y, WIDTH - MARGIN, y)
