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
