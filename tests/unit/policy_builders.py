"""Policies, orders and requests for the policy engine's tests, built directly."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from retour.domain.policy import (
    CandidateLine,
    CustomerHistory,
    Evaluation,
    OrderContext,
    OrderedItem,
    Policy,
    evaluate,
    parse_policy,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "src/retour/domain/policy/policy.schema.json"
DOCS_FILE = ROOT / "docs/policy.md"
PARIS = ZoneInfo("Europe/Paris")
#: Tuesday 10 March 2026, 13:00 in Paris.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MINIMAL: dict[str, Any] = {
    "timezone": "Europe/Paris",
    "currency": "EUR",
    "default": {"window_days": 30},
}


def document(**sections: Any) -> dict[str, Any]:
    """The minimal policy with `sections` set (a `default` given here is merged into it)."""
    doc = json.loads(json.dumps(MINIMAL))
    default = sections.pop("default", None)
    if default is not None:
        doc["default"].update(default)
    doc.update(sections)
    return doc


def policy(**sections: Any) -> Policy:
    return parse_policy(document(**sections))


def item(order_line_id: int = 1, sku: str = "SHIRT-M", **fields: Any) -> OrderedItem:
    """One unit of a 49.00 € shirt with 9.80 € tax, delivered five days before NOW."""
    values: dict[str, Any] = {
        "title": sku.title(),
        "quantity": 1,
        "fulfilled_quantity": 1,
        "unit_price": 4900,
        "tax": 980,
        "delivered_at": NOW - timedelta(days=5),
    }
    values.update(fields)
    if "quantity" in fields and "fulfilled_quantity" not in fields:
        values["fulfilled_quantity"] = fields["quantity"]
    return OrderedItem(order_line_id=order_line_id, sku=sku, **values)


def order(*items: OrderedItem, **fields: Any) -> OrderContext:
    values: dict[str, Any] = {
        "order_id": 7,
        "currency": "EUR",
        "placed_at": NOW - timedelta(days=8),
        "items": items or (item(),),
        "customer_email": "sam@example.com",
        "shipping_address": "1 rue de la Paix, 75002 Paris",
        "shipping_country": "FR",
    }
    values.update(fields)
    return OrderContext(**values)


def ask(
    order_line_id: int = 1, quantity: int = 1, reason: str = "too_small", **fields: Any
) -> CandidateLine:
    return CandidateLine(
        order_line_id=order_line_id, quantity=quantity, reason_code=reason, **fields
    )


def run(
    the_policy: Policy,
    the_order: OrderContext | None = None,
    lines: list[CandidateLine] | None = None,
    history: CustomerHistory | None = None,
    now: datetime = NOW,
) -> Evaluation:
    return evaluate(
        the_policy,
        the_order or order(),
        lines if lines is not None else [ask()],
        history or CustomerHistory(orders_count=3, items_bought=10, items_returned=1),
        now,
    )


def codes(evaluation: Evaluation, index: int = 0) -> list[tuple[str, str]]:
    """(code, rule id) of the refusals of line `index`."""
    return [(found.code.value, found.rule_id) for found in evaluation.lines[index].refusals]


def messages(evaluation: Evaluation, index: int = 0) -> list[str]:
    line = evaluation.lines[index]
    return [found.message for found in (*line.refusals, *line.notes)]


def at_paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, **more: int
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS, **more)


def docs_json_blocks() -> list[dict[str, Any]]:
    """Every ```json block of docs/policy.md, parsed."""
    text = DOCS_FILE.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def docs_policies() -> list[dict[str, Any]]:
    """The docs' complete policies as they are, and their fragments added to the minimal one."""
    return [block if "timezone" in block else document(**block) for block in docs_json_blocks()]


def with_items(the_order: OrderContext, *items: OrderedItem) -> OrderContext:
    return replace(the_order, items=items)
