"""Read labels back the way a scanner and a person would: each PDF page rendered to an image
(pypdfium2) and its barcodes decoded (zxing-cpp); its text extracted (pypdf)."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import zxingcpp
from PIL import Image

#: 3 × 72 = 216 dots per inch: a little above a thermal printer's 203.
RENDER_SCALE = 3


def pdf_barcodes(pdf: bytes) -> list[set[tuple[str, str]]]:
    """Per page, the (format, text) of every barcode found, e.g. ("Code128", "RT…")."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [_decoded(page.render(scale=RENDER_SCALE).to_pil()) for page in document]
    finally:
        document.close()


def png_barcodes(png: bytes) -> set[tuple[str, str]]:
    return _decoded(Image.open(io.BytesIO(png)))


def pdf_text(pdf: bytes) -> list[str]:
    """Per page, its text lines."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [[line.strip() for line in page.extract_text().splitlines()] for page in reader.pages]


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]


def _decoded(image: Image.Image) -> set[tuple[str, str]]:
    return {
        (barcode.format.name, barcode.text)
        for barcode in zxingcpp.read_barcodes(image)
        if barcode.valid
    }
