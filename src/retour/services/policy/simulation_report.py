"""What a policy makes of one historical return, and the running totals of a simulation:
live versus draft, with example returns for each difference. Pure; constant memory (counts,
totals and a few examples per delta, whatever the number of returns)."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy import Evaluation, Outcome

EXAMPLES = 5
#: Resolutions that pay money or credit back (exchanges and replacements send goods).
PAID_RESOLUTIONS = frozenset({Resolution.REFUND, Resolution.STORE_CREDIT})
#: Return methods on the store's label or drop-off code: they pay the return shipping fee.
STORE_SHIPPING = frozenset({ReturnMethod.PREPAID_LABEL, ReturnMethod.QR_DROP_OFF})


@dataclass(frozen=True)
class ReturnOutcome:
    """What one policy makes of one historical return."""

    #: Per line: admitted (eligible, and allowing the resolution and method asked for).
    admitted: tuple[bool, ...]
    #: Fees the shopper would pay: restocking and return shipping, after waivers.
    fees: int
    #: Paid back in money or credit: the admitted items' value less the fees.
    refund: int
    #: Store credit on top, when the return was for store credit.
    bonus: int
    decision: Outcome
    is_keep_item_offered: bool
    #: (code, rule id) of each refusal.
    refusals: tuple[tuple[str, str], ...]


def return_outcome(
    evaluation: Evaluation,
    asked: Sequence[Resolution],
    resolution: Resolution,
    return_method: ReturnMethod,
) -> ReturnOutcome:
    """Judge the evaluation of a return asked with `resolution` and `return_method`; `asked`
    is the resolution each line asked for."""
    admitted = tuple(
        judged.is_eligible
        and line_resolution in judged.resolutions
        and return_method in judged.return_methods
        for judged, line_resolution in zip(evaluation.lines, asked, strict=True)
    )
    kept = [judged for judged, ok in zip(evaluation.lines, admitted, strict=True) if ok]
    value = sum(judged.value for judged in kept)
    fees = evaluation.fees
    charged = 0
    if kept and resolution not in fees.waived_for:
        restocking = sum(judged.fees.restocking for judged in kept if judged.fees is not None)
        charged = restocking + fees.restocking_per_return
        if return_method in STORE_SHIPPING:
            charged += fees.return_shipping
    charged = min(charged, value)
    is_paid = resolution in PAID_RESOLUTIONS and bool(kept)
    return ReturnOutcome(
        admitted=admitted,
        fees=charged,
        refund=value - charged if is_paid else 0,
        bonus=fees.store_credit_bonus if is_paid and resolution is Resolution.STORE_CREDIT else 0,
        decision=evaluation.decision.outcome,
        is_keep_item_offered=evaluation.keep_item is not None,
        refusals=tuple(
            (found.code.value, found.rule_id)
            for line in evaluation.lines
            for found in line.refusals
        ),
    )


@dataclass(frozen=True, order=True)
class Example:
    return_id: int
    number: str
    live: Any
    draft: Any

    def as_json(self) -> dict[str, Any]:
        return {"return_id": self.return_id, "number": self.number, "live": self.live,
                "draft": self.draft}  # fmt: skip


@dataclass
class AmountDelta:
    """A total under each policy, and the returns where the two differ most."""

    live: int = 0
    draft: int = 0
    _largest: list[tuple[int, int, Example]] = field(default_factory=list)

    def add(self, return_id: int, number: str, live: int, draft: int) -> None:
        self.live += live
        self.draft += draft
        if live != draft:
            entry = (abs(draft - live), -return_id, Example(return_id, number, live, draft))
            if len(self._largest) < EXAMPLES:
                heapq.heappush(self._largest, entry)
            else:
                heapq.heappushpop(self._largest, entry)

    def merge(self, other: AmountDelta) -> None:
        self.live += other.live
        self.draft += other.draft
        for entry in other._largest:
            heapq.heappush(self._largest, entry)
            if len(self._largest) > EXAMPLES:
                heapq.heappop(self._largest)

    def as_json(self) -> dict[str, Any]:
        largest = sorted(self._largest, reverse=True)
        return {
            "live": self.live,
            "draft": self.draft,
            "delta": self.draft - self.live,
            "examples": [example.as_json() for _, _, example in largest],
        }


@dataclass
class Changes:
    """How many returns changed in one way, with the first few of them (lowest ids: the
    same whichever order, or however many processes, the history was read in)."""

    count: int = 0
    _first: list[tuple[int, Example]] = field(default_factory=list)

    def add(self, example: Example) -> None:
        self.count += 1
        heapq.heappush(self._first, (-example.return_id, example))
        if len(self._first) > EXAMPLES:
            heapq.heappop(self._first)

    def merge(self, other: Changes) -> None:
        self.count += other.count
        for entry in other._first:
            heapq.heappush(self._first, entry)
            if len(self._first) > EXAMPLES:
                heapq.heappop(self._first)

    def as_json(self) -> dict[str, Any]:
        first = sorted(example for _, example in self._first)
        return {"count": self.count, "examples": [example.as_json() for example in first]}


@dataclass
class SimulationReport:
    returns_evaluated: int = 0
    lines_evaluated: int = 0
    #: Returns left out: their order is in another currency than a policy, or they ask
    #: for no order line.
    returns_skipped: int = 0
    lines_newly_refused: int = 0
    lines_newly_admitted: int = 0
    returns_newly_refused: Changes = field(default_factory=Changes)
    returns_newly_admitted: Changes = field(default_factory=Changes)
    fees: AmountDelta = field(default_factory=AmountDelta)
    refunds: AmountDelta = field(default_factory=AmountDelta)
    store_credit_bonus: AmountDelta = field(default_factory=AmountDelta)
    decisions_live: Counter[str] = field(default_factory=Counter)
    decisions_draft: Counter[str] = field(default_factory=Counter)
    decision_changes: Changes = field(default_factory=Changes)
    keep_item_live: int = 0
    keep_item_draft: int = 0
    keep_item_changes: Changes = field(default_factory=Changes)
    refusals_live: Counter[str] = field(default_factory=Counter)
    refusals_draft: Counter[str] = field(default_factory=Counter)

    def add(self, return_id: int, number: str, live: ReturnOutcome, draft: ReturnOutcome) -> None:
        """Count one historical return judged by both policies."""
        self.returns_evaluated += 1
        self.lines_evaluated += len(live.admitted)
        for was, now in zip(live.admitted, draft.admitted, strict=True):
            self.lines_newly_refused += was and not now
            self.lines_newly_admitted += now and not was
        count_live, count_draft = sum(live.admitted), sum(draft.admitted)
        if count_draft < count_live:
            self.returns_newly_refused.add(Example(return_id, number, count_live, count_draft))
        if count_draft > count_live:
            self.returns_newly_admitted.add(Example(return_id, number, count_live, count_draft))
        self.fees.add(return_id, number, live.fees, draft.fees)
        self.refunds.add(return_id, number, live.refund, draft.refund)
        self.store_credit_bonus.add(return_id, number, live.bonus, draft.bonus)
        self.decisions_live[live.decision.value] += 1
        self.decisions_draft[draft.decision.value] += 1
        if live.decision is not draft.decision:
            example = Example(return_id, number, live.decision.value, draft.decision.value)
            self.decision_changes.add(example)
        self.keep_item_live += live.is_keep_item_offered
        self.keep_item_draft += draft.is_keep_item_offered
        if live.is_keep_item_offered != draft.is_keep_item_offered:
            example = Example(
                return_id, number, live.is_keep_item_offered, draft.is_keep_item_offered
            )
            self.keep_item_changes.add(example)
        self.refusals_live.update(f"{code} [{rule}]" for code, rule in live.refusals)
        self.refusals_draft.update(f"{code} [{rule}]" for code, rule in draft.refusals)

    def merge(self, other: SimulationReport) -> None:
        """Add another chunk's totals (the report of a part of the history)."""
        for name in ("returns_evaluated", "lines_evaluated", "returns_skipped",
                     "lines_newly_refused", "lines_newly_admitted", "keep_item_live",
                     "keep_item_draft"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("returns_newly_refused", "returns_newly_admitted", "fees", "refunds",
                     "store_credit_bonus", "decision_changes", "keep_item_changes",
                     "decisions_live", "decisions_draft", "refusals_live",
                     "refusals_draft"):  # fmt: skip
            mine = getattr(self, name)
            if isinstance(mine, Counter):
                mine.update(getattr(other, name))
            else:
                mine.merge(getattr(other, name))

    def as_json(self) -> dict[str, Any]:
        return {
            "returns_evaluated": self.returns_evaluated,
            "returns_skipped": self.returns_skipped,
            "lines_evaluated": self.lines_evaluated,
            "eligibility": {
                "lines_newly_refused": self.lines_newly_refused,
                "lines_newly_admitted": self.lines_newly_admitted,
                "returns_newly_refused": self.returns_newly_refused.as_json(),
                "returns_newly_admitted": self.returns_newly_admitted.as_json(),
                "refusals_live": _by_count(self.refusals_live),
                "refusals_draft": _by_count(self.refusals_draft),
            },
            "fees": self.fees.as_json(),
            "refunds": self.refunds.as_json(),
            "store_credit_bonus": self.store_credit_bonus.as_json(),
            "automatic_approval": {
                "live": _decisions(self.decisions_live, self.returns_evaluated),
                "draft": _decisions(self.decisions_draft, self.returns_evaluated),
                "changes": self.decision_changes.as_json(),
            },
            "keep_item": {
                "live": self.keep_item_live,
                "draft": self.keep_item_draft,
                "delta": self.keep_item_draft - self.keep_item_live,
                "changes": self.keep_item_changes.as_json(),
            },
        }


def _decisions(counts: Counter[str], total: int) -> dict[str, Any]:
    approved = counts.get(Outcome.APPROVE.value, 0)
    return {
        **{outcome.value: counts.get(outcome.value, 0) for outcome in Outcome},
        "approval_rate_bp": approved * 10_000 // total if total else 0,
    }


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
