"""Postal-code formats of the countries whose codes we know well, and their normal form.

A country listed here needs a postal code on every address, in its format; elsewhere the
postal code is optional and taken as written (up to 16 characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PostalCodeFormat:
    #: Matched against the code upper-cased, with runs of spaces made one.
    pattern: re.Pattern[str]
    #: What it looks like, for the error message.
    example: str
    #: The written form, from the match (e.g. `SW1A1AA` → `SW1A 1AA`).
    normal: Callable[[re.Match[str]], str]


def _whole(match: re.Match[str]) -> str:
    return match.group(0)


def _spaced(match: re.Match[str]) -> str:
    return f"{match.group(1)} {match.group(2)}"


def _dashed(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{match.group(2)}"


def _us_zip(match: re.Match[str]) -> str:
    return match.group(1) if match.group(2) is None else f"{match.group(1)}-{match.group(2)}"


def _format(
    pattern: str, example: str, normal: Callable[[re.Match[str]], str] = _whole
) -> PostalCodeFormat:
    return PostalCodeFormat(re.compile(pattern), example, normal)


# The UK's published pattern: an outward code (area, district) and an inward code (sector,
# unit); the letters that never occur in a position are left out.
_GB_OUTWARD = r"(?:[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d[\dABEHMNPRV-Y]?|\d[A-HJKPS-UW]))"
_GB_INWARD = r"(?:\d[ABD-HJLNP-UW-Z]{2})"
_CA_LETTER_FIRST = "ABCEGHJ-NPRSTVXY"
_CA_LETTER = "ABCEGHJ-NPRSTV-Z"

FORMATS: dict[str, PostalCodeFormat] = {
    "AT": _format(r"[1-9]\d{3}", "1010"),
    "AU": _format(r"\d{4}", "2000"),
    "BE": _format(r"[1-9]\d{3}", "1000"),
    "CA": _format(
        rf"([{_CA_LETTER_FIRST}]\d[{_CA_LETTER}]) ?(\d[{_CA_LETTER}]\d)", "K1A 0B1", _spaced
    ),
    "CH": _format(r"[1-9]\d{3}", "8001"),
    "DE": _format(r"\d{5}", "10115"),
    "DK": _format(r"[1-9]\d{3}", "1050"),
    # Two digits of the province (01-52), then three.
    "ES": _format(r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}", "28013"),
    "FR": _format(r"\d{5}", "75011"),
    "GB": _format(rf"({_GB_OUTWARD}) ?({_GB_INWARD})", "SW1A 1AA", _spaced),
    "IT": _format(r"\d{5}", "00184"),
    # Four digits (not starting with 0) and two letters; SA, SD and SS are never used.
    "NL": _format(r"([1-9]\d{3}) ?((?!SA|SD|SS)[A-Z]{2})", "1012 AB", _spaced),
    "PL": _format(r"(\d{2})-?(\d{3})", "00-950", _dashed),
    "PT": _format(r"(\d{4})-?(\d{3})", "1000-001", _dashed),
    "SE": _format(r"([1-9]\d{2}) ?(\d{2})", "114 55", _spaced),
    "US": _format(r"(\d{5})(?:[ -]?(\d{4}))?", "94103 or 94103-1234", _us_zip),
}


def normal_postal_code(country: str, code: str) -> str | None:
    """`code` in its written form for `country`, or None when it is not one of its codes.

    Countries without a known format take any code as written.
    """
    rule = FORMATS.get(country)
    if rule is None:
        return " ".join(code.split())
    text = " ".join(code.upper().split())
    if country == "GB" and text.replace(" ", "") == "GIR0AA":
        return "GIR 0AA"  # Girobank's old code, outside the pattern
    match = rule.pattern.fullmatch(text)
    return None if match is None else rule.normal(match)
