"""An evaluation as plain JSON: what the evaluate API answers and what a return keeps."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from retour.domain.policy import Evaluation, Finding


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """Every field of the evaluation: enums as their values, dates and instants as ISO text."""
    plain: dict[str, Any] = _plain(evaluation)
    return plain


def days_left_in_window(evaluation: Evaluation, today: date) -> int | None:
    """Days the eligible lines' windows still had (the fewest), counted in store days."""
    days = [
        (line.window.last_day - today).days
        for line in evaluation.eligible_lines
        if line.window is not None
    ]
    return min(days, default=None)


def _plain(value: Any) -> Any:
    if isinstance(value, Finding):
        # Its sentence is written when read; the day it was made only serves to write it.
        return {"code": value.code.value, "rule_id": value.rule_id,
                "params": _plain(value.params), "message": value.message}  # fmt: skip
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(item) for item in value]
    if hasattr(value, "items"):  # other mappings (the findings' params)
        return {str(key): _plain(item) for key, item in value.items()}
    return value
