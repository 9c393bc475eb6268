"""Public JSON shapes of a what-if simulation: the draft policy versus the live one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SimulateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: dict[str, Any] = Field(description="the draft document; its errors point under /policy")
    since: date | None = Field(default=None, description="only returns asked for since this day")


class ExamplePublic(BaseModel):
    return_id: int
    number: str
    live: Any
    draft: Any


class AmountDeltaPublic(BaseModel):
    live: int
    draft: int
    delta: int = Field(description="draft − live, minor units")
    examples: list[ExamplePublic] = Field(description="the returns that change most")


class ChangesPublic(BaseModel):
    count: int
    examples: list[ExamplePublic] = Field(description="the first returns that change")


class EligibilityPublic(BaseModel):
    lines_newly_refused: int
    lines_newly_admitted: int
    returns_newly_refused: ChangesPublic = Field(description="live / draft: lines admitted")
    returns_newly_admitted: ChangesPublic
    refusals_live: dict[str, int] = Field(description="refused lines per `code [rule]`")
    refusals_draft: dict[str, int]


class DecisionCountsPublic(BaseModel):
    approve: int
    review: int
    reject: int
    approval_rate_bp: int = Field(description="approved ÷ evaluated, in basis points")


class ApprovalPublic(BaseModel):
    live: DecisionCountsPublic
    draft: DecisionCountsPublic
    changes: ChangesPublic


class KeepItemDeltaPublic(BaseModel):
    live: int
    draft: int
    delta: int
    changes: ChangesPublic


class RuleFindingPublic(BaseModel):
    code: str
    rule_id: str


class LineJudgementPublic(BaseModel):
    is_eligible: bool
    last_day: date = Field(description="the line's window under this policy ends this day")
    decided_by: list[RuleFindingPublic] = Field(
        description="every refusal; for an eligible line, its open window (`window_open`)"
    )


class LineExamplePublic(BaseModel):
    order_id: int
    order_number: str
    order_line_id: int
    sku: str
    asked_at: datetime = Field(description="the last instant of the later of its two windows")
    live: LineJudgementPublic
    draft: LineJudgementPublic


class LineChangesPublic(BaseModel):
    count: int
    examples: list[LineExamplePublic] = Field(description="the first lines, by order and line")


class EligibleCountsPublic(BaseModel):
    live: int
    draft: int
    delta: int


class UnreturnedLinesPublic(BaseModel):
    lines_total: int = Field(description="fulfilled lines of orders placed since, in no return")
    lines_evaluated: int
    lines_skipped: int = Field(description="order in another currency than a policy")
    eligible: EligibleCountsPublic
    becoming_eligible: LineChangesPublic
    no_longer_eligible: LineChangesPublic
    refusals_live: dict[str, int] = Field(description="refused lines per `code [rule]`")
    refusals_draft: dict[str, int]


class SimulationPublic(BaseModel):
    live_version: int = Field(description="the live version compared with; 0: built-in")
    since: datetime | None
    returns_total: int
    returns_evaluated: int
    returns_skipped: int = Field(description="order in another currency, or no order line")
    lines_evaluated: int
    eligibility: EligibilityPublic
    fees: AmountDeltaPublic
    refunds: AmountDeltaPublic
    store_credit_bonus: AmountDeltaPublic
    automatic_approval: ApprovalPublic
    keep_item: KeepItemDeltaPublic
    unreturned_lines: UnreturnedLinesPublic = Field(
        description="lines never returned, asked back on the last day either policy allows"
    )
