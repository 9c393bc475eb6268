"""The label in ZPL II for thermal printers (Zebra and compatibles): 4×6 inch at 203 dpi,
one `^XA … ^XZ` format per parcel, the same content as the PDF."""

from __future__ import annotations

import re

from reportlab.graphics.barcode.code128 import Code128

from retour.shipping.label_content import LabelContent, latin_text

DOTS_PER_INCH = 203
WIDTH, HEIGHT = 4 * DOTS_PER_INCH, 6 * DOTS_PER_INCH
MARGIN = 40
#: Narrowest Code 128 bar in dots (3 dots ≈ 0.38 mm).
MODULE = 3
#: Dots per QR module.
QR_MAGNIFICATION = 6
#: Barcode data is sent as is, so it must hold nothing ZPL reads as a command.
_BARCODE_SAFE = re.compile(r"[0-9A-Za-z :./+$%*-]+")


def label_zpl(content: LabelContent) -> bytes:
    """UTF-8 ZPL (`^CI28`); text fields are hex-escaped (`^FH`), so `^` and `~` in an
    address cannot end a field or start a command."""
    for value in (content.tracking_number, content.qr_payload):
        if not _BARCODE_SAFE.fullmatch(value):
            raise ValueError(f"{value!r} cannot be sent as barcode data unescaped")
    formats = [_format(content, parcel) for parcel in range(1, content.parcels + 1)]
    return "\n".join(formats).encode("utf-8")


def _format(content: LabelContent, parcel: int) -> str:
    inner = WIDTH - 2 * MARGIN
    fields = [
        "^XA",
        "^CI28",
        f"^PW{WIDTH}",
        f"^LL{HEIGHT}",
        "^LH0,0",
        _text(MARGIN, 40, 56, "RETURN"),
        _text(MARGIN, 30, 20, content.service, block=inner, align="R"),
        _text(MARGIN, 70, 28, content.parcel_caption(parcel), block=inner, align="R"),
        _rule(118),
        _text(MARGIN, 132, 20, "FROM"),
    ]
    fields += [
        _text(MARGIN, 160 + index * 27, 22, line, block=inner)
        for index, line in enumerate(content.from_lines()[:7])
    ]
    fields += [_rule(370), _text(MARGIN, 384, 22, "TO")]
    fields += [
        _text(MARGIN, 414 + index * 40, 34, line, block=inner)
        for index, line in enumerate(content.to_lines()[:7])
    ]
    barcode_left = max(MARGIN, (WIDTH - _code128_modules(content.tracking_number) * MODULE) // 2)
    fields += [
        _rule(720),
        f"^FO{barcode_left},750^BY{MODULE}^BCN,170,Y,N,N,A^FD{content.tracking_number}^FS",
        _rule(985),
        f"^FO{MARGIN - 10},1000^BQN,2,{QR_MAGNIFICATION}^FDMA,{content.qr_payload}^FS",
        _text(270, 1040, 48, content.rma_number),
        _text(270, 1100, 22, f"Use by {content.expires_on.isoformat()}"),
        _text(270, 1130, 22, "Stick on the parcel over any old label."),
        "^XZ",
    ]
    return "\n".join(fields)


def _text(x: int, y: int, height: int, text: str, block: int = 0, align: str = "L") -> str:
    # ^FB keeps a line inside its block (and aligns it); one line, cut if too long.
    box = f"^FB{block},1,0,{align},0" if block else ""
    return f"^FO{x},{y}^A0N,{height},{height}{box}^FH\\^FD{_escaped(latin_text(text))}^FS"


def _rule(y: int) -> str:
    return f"^FO{MARGIN},{y}^GB{WIDTH - 2 * MARGIN},3,3^FS"


def _escaped(text: str) -> str:
    """`\\`, `^` and `~` as `^FH\\` hex escapes (of their UTF-8 bytes, as ^CI28 reads)."""
    return "".join(
        "".join(f"\\{byte:02X}" for byte in char.encode("utf-8")) if char in "\\^~" else char
        for char in text
    )


def _code128_modules(value: str) -> int:
    """Width of the Code 128 symbol in modules, without its quiet zones."""
    return int(Code128(value, barWidth=1, quiet=0).width)
