"""What a label shows, the same on the PDF and the ZPL version."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from retour.domain.addresses import Address, address_lines

#: Letters with no decomposition that a Latin-1 font lacks, spelled as the post would.
_SPELLED = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})


@dataclass(frozen=True)
class LabelContent:
    tracking_number: str
    rma_number: str
    from_address: Address
    to_address: Address
    parcels: int
    #: What the QR code on the label (and the drop-off code) holds.
    qr_payload: str
    #: The carrier and service, e.g. `Retour built-in · standard`.
    service: str
    expires_on: date

    def from_lines(self) -> list[str]:
        return [latin_text(line) for line in address_lines(self.from_address)]

    def to_lines(self) -> list[str]:
        return [latin_text(line) for line in address_lines(self.to_address)]

    def parcel_caption(self, parcel: int) -> str:
        return f"Parcel {parcel} of {self.parcels}"


def latin_text(text: str) -> str:
    """`text` in characters the label fonts have (Windows-1252): accents kept where the font
    has them (é, ü, ø), dropped where it has not (ő → o, ł → l), anything else `?`."""
    kept = []
    for char in text.translate(_SPELLED):
        if _encodable(char):
            kept.append(char)
            continue
        base = "".join(
            part
            for part in unicodedata.normalize("NFKD", char)
            if not unicodedata.combining(part) and _encodable(part)
        )
        kept.append(base or "?")
    return "".join(kept)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
