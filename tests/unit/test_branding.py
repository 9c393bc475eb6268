"""Branding rules: readable button colours (WCAG contrast), https logos, usable reply-to."""

from __future__ import annotations

import pytest

from retour.domain.branding import Branding, checked_branding, contrast_ratio
from retour.domain.errors import InvalidRequest


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#767676", "#ffffff", 4.54),
     ("#777777", "#ffffff", 4.48), ("#1f2937", "#ffffff", 14.68)],
)  # fmt: skip
def test_contrast_follows_wcag(first, second, ratio):
    assert round(contrast_ratio(first, second), 2) == ratio
    assert round(contrast_ratio(second, first), 2) == ratio


def test_a_button_just_readable_enough_passes_and_one_just_below_is_refused():
    assert checked_branding(Branding("Acme", primary_color="#767676")).primary_color == "#767676"
    with pytest.raises(InvalidRequest) as refused:
        checked_branding(Branding("Acme", primary_color="#777777"))
    assert refused.value.extra["field"] == "button_text_color"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"name": "  "}, "name"), ({"primary_color": "#12345"}, "primary_color"),
     ({"logo_url": "javascript:alert(1)"}, "logo_url"), ({"reply_to": "a@b"}, "reply_to")],
)  # fmt: skip
def test_bad_values_name_their_field(changes, field):
    with pytest.raises(InvalidRequest) as refused:
        checked_branding(Branding(**{"name": "Acme", **changes}))
    assert refused.value.extra["field"] == field
