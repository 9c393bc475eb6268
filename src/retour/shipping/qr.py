"""QR codes: the module matrix (reportlab's encoder), drawn on a PDF page or written as PNG.

reportlab's own widget picks the mask by the standard's penalty rules in pure Python and
draws each dark run as a validated shape: 15 ms of a label's 20. Here the penalty is scored
with regular expressions and integer bit operations (about 2 ms for all eight masks) and the
code is drawn as one path.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

Matrix = list[list[bool]]
#: Light modules around the code, as the standard asks.
QUIET_ZONE = 4
_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=(00001011101|10111010000))")


def qr_matrix(payload: str) -> Matrix:
    """The smallest QR code (error correction M, 15 %) holding `payload`, best mask chosen."""
    return qr_code(payload)[0]


def qr_code(payload: str) -> tuple[Matrix, int]:
    """The code and its mask: each of the eight masks is applied to the unmasked symbol
    with row-wide bit operations and scored; the lowest penalty wins, as the standard says."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    layout = _layout(code.version)
    unmasked = [_row_bits(row) ^ mask for row, mask in zip(code.modules, layout.masks[0],
                                                             strict=True)]  # fmt: skip
    candidates = [_masked(unmasked, layout, mask) for mask in range(8)]
    best = min(range(8), key=lambda mask: (penalty(candidates[mask]), mask))
    return [[bit == "1" for bit in row] for row in candidates[best]], best


@dataclass(frozen=True)
class _Layout:
    """Where a version's data modules are, as one integer per row (column 0 the highest
    bit), and each mask pattern over them."""

    size: int
    masks: tuple[tuple[int, ...], ...]


@lru_cache(maxsize=40)
def _layout(version: int) -> _Layout:
    probe = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    probe.moduleCount = size = version * 4 + 17
    data = [[False] * size for _ in range(size)]
    for column, row in probe.dataPosIterator():
        data[row][column] = True
    masks = tuple(
        tuple(
            _row_bits([data[row][column] and pattern(row, column) for column in range(size)])
            for row in range(size)
        )
        for pattern in (qrencoder.QRUtil.getMask(mask) for mask in range(8))
    )
    return _Layout(size, masks)


def _masked(unmasked: list[int], layout: _Layout, mask: int) -> list[str]:
    """The symbol with `mask` over its data and that mask's format information."""
    size = layout.size
    rows = [row ^ pattern for row, pattern in zip(unmasked, layout.masks[mask], strict=True)]
    bits = qrencoder.QRUtil.getBCHTypeInfo((qrencoder.QRErrorCorrectLevel.M << 3) | mask)
    for index, (row, column) in enumerate(_format_cells(size)):
        place = 1 << (size - 1 - column)
        rows[row] = rows[row] | place if (bits >> (index % 15)) & 1 else rows[row] & ~place
    return [format(row, f"0{size}b") for row in rows]


@lru_cache(maxsize=40)
def _format_cells(size: int) -> tuple[tuple[int, int], ...]:
    """(row, column) of format bit i: 15 beside the top-left finder, then 15 by the others
    (as reportlab's encoder places them)."""
    vertical = [(i if i < 6 else i + 1 if i < 8 else size - 15 + i, 8) for i in range(15)]
    horizontal = [(8, size - i - 1 if i < 8 else 15 - i if i < 9 else 15 - i - 1)
                  for i in range(15)]  # fmt: skip
    return tuple(vertical + horizontal)


def _row_bits(row: list[bool]) -> int:
    return int("".join("1" if dark else "0" for dark in row), 2)


def penalty(rows: list[str]) -> int:
    """ISO/IEC 18004 §7.8.3 penalty of a masked symbol, rows as strings of 0 and 1."""
    size = len(rows)
    # Rows and columns in one string; the separator ends every run and pattern.
    lines = "|".join(rows + ["".join(column) for column in zip(*rows, strict=True)])
    # N1: 3 for a run of five modules of one colour, 1 more per module beyond.
    runs = _RUN.findall(lines)
    score = sum(map(len, runs)) - 2 * len(runs)
    # N3: 40 for each 1:1:3:1:1 finder-like pattern with four light modules beside it.
    score += 40 * len(_FINDER_LIKE.findall(lines))
    # N2: 3 for each 2×2 block of one colour (columns c and c+1 of two neighbouring rows).
    inner = (1 << (size - 1)) - 1
    values = [int(row, 2) for row in rows]
    for upper, lower in pairwise(values):
        same = ~(upper ^ lower)
        score += 3 * (same & (same >> 1) & ~(upper ^ (upper >> 1)) & inner).bit_count()
    # N4: 10 for each full 5 % the dark share is away from half.
    dark = sum(row.count("1") for row in rows)  # rows only: columns hold the same modules
    return score + 10 * (abs(dark * 100 // (size * size) - 50) // 5)


def draw_qr(canvas: Canvas, matrix: Matrix, x: float, y: float, size: float) -> None:
    """Draw the code, quiet zone included, in the square of side `size` from (x, y)."""
    count = len(matrix) + 2 * QUIET_ZONE
    canvas.saveState()
    canvas.translate(x, y + size)
    # One unit is one module, y downwards: the path is integers, cheap to write.
    canvas.scale(size / count, -size / count)
    operators = []
    for row_index, row in enumerate(matrix):
        for start, length in _dark_runs(row):
            operators.append(f"{start + QUIET_ZONE} {row_index + QUIET_ZONE} {length} 1 re")
    canvas.addLiteral("\n".join(operators) + "\nf")
    canvas.restoreState()


def qr_png(matrix: Matrix, scale: int = 8) -> bytes:
    """The code as a 1-bit greyscale PNG, `scale` pixels per module, quiet zone included."""
    count = len(matrix) + 2 * QUIET_ZONE
    light_row = [True] * count
    padded = (
        [light_row] * QUIET_ZONE
        + [[True] * QUIET_ZONE + [not dark for dark in row] + [True] * QUIET_ZONE for row in matrix]
        + [light_row] * QUIET_ZONE
    )
    width = count * scale
    scanlines = bytearray()
    for row in padded:
        bits = "".join("1" * scale if light else "0" * scale for light in row)
        bits += "0" * (-width % 8)
        line = int(bits, 2).to_bytes(len(bits) // 8, "big")
        scanlines += (b"\x00" + line) * scale  # filter type 0 (none) per scanline
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(scanlines), 9))
        + _chunk(b"IEND", b"")
    )


def _dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    runs = []
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)
