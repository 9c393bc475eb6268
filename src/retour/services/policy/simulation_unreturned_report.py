"""The running totals of the never-returned lines of a simulation: how many lines each policy
would take back, the lines whose eligibility changes, with the first few of them. Pure;
constant memory (counts and five examples per change, whatever the number of lines)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from retour.domain.policy import FindingCode
from retour.domain.policy.eligibility import LineVerdict

EXAMPLES = 5


@dataclass(frozen=True)
class LineJudgement:
    """What one policy makes of one never-returned line asked back at a moment."""

    is_eligible: bool
    #: The last day of the line's window under this policy (store time).
    last_day: str
    #: (code, rule id) of the rules that decided: every refusal, else the open window's rule.
    decided_by: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, verdict: LineVerdict) -> LineJudgement:
        """Eligible when nothing refuses it, as in `evaluate`."""
        if verdict.refusals:
            decided_by = tuple((found.code.value, found.rule_id) for found in verdict.refusals)
        else:
            decided_by = ((FindingCode.WINDOW_OPEN.value, verdict.window.rule_id),)
        return cls(not verdict.refusals, verdict.window.last_day.isoformat(), decided_by)

    def as_json(self) -> dict[str, Any]:
        return {
            "is_eligible": self.is_eligible,
            "last_day": self.last_day,
            "decided_by": [{"code": code, "rule_id": rule} for code, rule in self.decided_by],
        }


@dataclass(frozen=True)
class LineExample:
    order_id: int
    order_number: str
    order_line_id: int
    sku: str
    asked_at: datetime
    live: LineJudgement
    draft: LineJudgement

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "order_number": self.order_number,
            "order_line_id": self.order_line_id,
            "sku": self.sku,
            "asked_at": self.asked_at.isoformat(),
            "live": self.live.as_json(),
            "draft": self.draft.as_json(),
        }


@dataclass
class LineChanges:
    """How many lines changed one way, with the first few (lines are judged in order and line
    id order, so the first met are the lowest)."""

    count: int = 0
    examples: list[LineExample] = field(default_factory=list)

    def add(self, example: LineExample) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "examples": [example.as_json() for example in self.examples]}


@dataclass
class UnreturnedReport:
    #: Fulfilled lines of orders placed in range that no return names.
    lines_total: int = 0
    lines_evaluated: int = 0
    #: Lines left out: their order is in another currency than a policy.
    lines_skipped: int = 0
    eligible_live: int = 0
    eligible_draft: int = 0
    becoming_eligible: LineChanges = field(default_factory=LineChanges)
    no_longer_eligible: LineChanges = field(default_factory=LineChanges)
    refusals_live: Counter[str] = field(default_factory=Counter)
    refusals_draft: Counter[str] = field(default_factory=Counter)

    def add(self, example: LineExample) -> None:
        """Count one line judged by both policies."""
        live, draft = example.live, example.draft
        self.lines_evaluated += 1
        self.eligible_live += live.is_eligible
        self.eligible_draft += draft.is_eligible
        if draft.is_eligible and not live.is_eligible:
            self.becoming_eligible.add(example)
        if live.is_eligible and not draft.is_eligible:
            self.no_longer_eligible.add(example)
        if not live.is_eligible:
            self.refusals_live.update(f"{code} [{rule}]" for code, rule in live.decided_by)
        if not draft.is_eligible:
            self.refusals_draft.update(f"{code} [{rule}]" for code, rule in draft.decided_by)

    def as_json(self) -> dict[str, Any]:
        return {
            "lines_total": self.lines_total,
            "lines_evaluated": self.lines_evaluated,
            "lines_skipped": self.lines_skipped,
            "eligible": {
                "live": self.eligible_live,
                "draft": self.eligible_draft,
                "delta": self.eligible_draft - self.eligible_live,
            },
            "becoming_eligible": self.becoming_eligible.as_json(),
            "no_longer_eligible": self.no_longer_eligible.as_json(),
            "refusals_live": _by_count(self.refusals_live),
            "refusals_draft": _by_count(self.refusals_draft),
        }


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
