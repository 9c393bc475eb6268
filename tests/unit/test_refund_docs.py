"""docs/refunds.md names what the code does: every money event it emits."""

from __future__ import annotations

import re
from pathlib import Path

from retour.webhooks.event_types import EVENT_TYPES

REFUNDS_DOC = Path(__file__).parents[2] / "docs" / "refunds.md"
MONEY_FAMILIES = ("refund.", "store_credit.", "exchange.")


def documented_events() -> set[str]:
    """Dotted names in backticks in the page's Events section."""
    section = REFUNDS_DOC.read_text(encoding="utf-8").split("\n## Events\n", 1)[1]
    return set(re.findall(r"`([a-z_]+\.[a-z_]+)`", section.split("\n## ", 1)[0]))


def test_the_events_section_lists_every_refund_credit_and_exchange_event():
    money_events = {name for name in EVENT_TYPES if name.startswith(MONEY_FAMILIES)}

    assert documented_events() == money_events | {"return.resolution_changed"}
    assert "exchange.balance_due" in documented_events()
