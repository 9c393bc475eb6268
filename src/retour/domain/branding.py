"""A store's look in e-mails and (later) its portal: colours that stay readable, a logo."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retour.domain.email_addresses import address_problem
from retour.domain.errors import InvalidRequest

DEFAULT_PRIMARY_COLOR = "#1f2937"
DEFAULT_BUTTON_TEXT_COLOR = "#ffffff"
#: WCAG 2.2 AA for normal text: button labels must be this readable on the primary colour.
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Branding:
    name: str
    logo_url: str = ""
    primary_color: str = DEFAULT_PRIMARY_COLOR
    button_text_color: str = DEFAULT_BUTTON_TEXT_COLOR
    #: Where shoppers' answers to e-mails go; empty: the From address.
    reply_to: str = ""


def checked_branding(branding: Branding) -> Branding:
    """`branding` with colours in lower case; InvalidRequest naming the first bad field."""
    name = branding.name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidRequest("a store name of 1 to 200 characters", field="name")
    for field, colour in (
        ("primary_color", branding.primary_color),
        ("button_text_color", branding.button_text_color),
    ):
        if not _HEX.match(colour):
            raise InvalidRequest(f"{colour!r} is not a colour like #1f2937", field=field)
    ratio = contrast_ratio(branding.primary_color, branding.button_text_color)
    if ratio < MIN_CONTRAST:
        raise InvalidRequest(
            f"button text on the primary colour has a contrast of {ratio:.2f}:1; "
            f"at least {MIN_CONTRAST}:1 keeps it readable (WCAG AA)",
            field="button_text_color",
        )
    logo = branding.logo_url.strip()
    if logo and (not logo.startswith("https://") or len(logo) > 500 or " " in logo):
        raise InvalidRequest("an https:// address of at most 500 characters", field="logo_url")
    reply_to = branding.reply_to.strip()
    if reply_to and (problem := address_problem(reply_to)) is not None:
        raise InvalidRequest(f"not a usable e-mail address: {problem}", field="reply_to")
    return Branding(
        name, logo, branding.primary_color.lower(), branding.button_text_color.lower(), reply_to
    )


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two `#rrggbb` colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
