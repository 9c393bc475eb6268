"""Public JSON shapes of the return policy: versions and warnings, evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from retour.domain.refund_quote import FeeCode
from retour.services.policy.evaluation import RequestEvaluation
from retour.services.policy.snapshot import evaluation_json
from retour.services.policy.versions import PolicyRecord, SavedPolicy


class PolicyDocumentIn(RootModel[dict[str, Any]]):
    """A policy document: JSON Schema at `GET /api/v1/policy/schema`, guide in docs/policy.md."""


class PolicyPublic(BaseModel):
    version: int = Field(description="1, 2, … per store; 0: the built-in policy (none saved)")
    is_builtin: bool
    note: str
    created_by: str | None
    created_at: datetime | None
    document: dict[str, Any]

    @classmethod
    def from_service(cls, record: PolicyRecord) -> PolicyPublic:
        return cls(
            version=record.version,
            is_builtin=record.is_builtin,
            note=record.note,
            created_by=record.created_by,
            created_at=record.created_at,
            document=record.document,
        )


class PolicyWarningPublic(BaseModel):
    pointer: str = Field(description="JSON pointer into the document, e.g. /overrides/0/match")
    message: str


class PolicySaved(PolicyPublic):
    warnings: list[PolicyWarningPublic] = Field(
        description="allowed but probably unintended: names no product or reason uses yet, a "
        "currency or time zone other than the store's"
    )

    @classmethod
    def from_saved(cls, saved: SavedPolicy) -> PolicySaved:
        public = PolicyPublic.from_service(saved.record)
        return cls(
            **public.model_dump(),
            warnings=[
                PolicyWarningPublic(pointer=pointer, message=message)
                for pointer, message in saved.warnings
            ],
        )


class PolicyVersionPage(BaseModel):
    items: list[PolicyPublic]
    next_cursor: str | None


# -- evaluation -----------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EvaluateLine(_In):
    order_line_id: int
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    reason_code: Annotated[str, Field(min_length=1, max_length=64)]
    comment: Annotated[str, Field(max_length=5000)] = ""
    photo_count: Annotated[int, Field(ge=0, le=100)] = 0


class EvaluateBody(_In):
    order_id: int
    lines: Annotated[list[EvaluateLine], Field(min_length=1, max_length=500)]
    policy: dict[str, Any] | None = Field(
        default=None,
        description="a draft policy document to evaluate under instead of the live one "
        "(not saved); its errors point under /policy",
    )
    return_country: Annotated[str | None, Field(min_length=2, max_length=2)] = Field(
        default=None, description="where the parcel would leave from; default: the order's"
    )
    label_cost: Annotated[int | None, Field(ge=0, le=10**9)] = Field(
        default=None, description="the carrier's quote for the return label, minor units"
    )


Params = dict[str, str | int]


class FindingPublic(BaseModel):
    code: str
    rule_id: str
    params: Params = Field(description="dates YYYY-MM-DD, amounts minor units, percents bp")
    message: str


class WindowPublic(BaseModel):
    rule_id: str
    basis: str = Field(description="delivered, shipped (plus transit days) or ordered")
    starts_on: date
    last_day: date
    ends_at: datetime


class LineFeesPublic(BaseModel):
    restocking: int
    rule_id: str
    percent_bp: int
    fixed_per_unit: int
    is_waived_for_merchant_fault: bool


class KeepItemAssessmentPublic(BaseModel):
    unit_value: int
    value: int
    expected_grade: str
    recovery_bp: int
    expected_recovery: int
    is_below_value: bool


class LineEvaluationPublic(BaseModel):
    order_line_id: int
    quantity: int
    reason_code: str
    is_eligible: bool
    refusals: list[FindingPublic]
    notes: list[FindingPublic]
    resolutions: list[str]
    return_methods: list[str]
    value: int = Field(description="paid value of the units asked for, tax included")
    window: WindowPublic | None
    fees: LineFeesPublic | None
    keep_item: KeepItemAssessmentPublic | None
    is_merchant_fault: bool


class DecisionPublic(BaseModel):
    outcome: str = Field(description="approve, review or reject")
    rule_id: str
    message: str


class TermsOverridePublic(BaseModel):
    waived_fees: list[FeeCode] = Field(description="the fees staff waived on this return")
    refund_original_shipping: bool = Field(
        description="true: the order's original shipping is refunded whatever the policy says"
    )
    reason: str


class RiskSignalPublic(BaseModel):
    code: str
    weight: int
    params: Params
    message: str


class RiskPublic(BaseModel):
    score: int = Field(description="0–100: the sum of the weights of the signals that fired")
    signals: list[RiskSignalPublic]


class FeeSettingsPublic(BaseModel):
    restocking_fee_bp: int
    restocking_fee_fixed: int
    return_shipping_fee: int
    label_cost: int
    store_credit_bonus_bp: int
    store_credit_bonus_fixed: int
    store_credit_bonus_cap: int | None
    waive_fees_for_store_credit: bool
    waive_fees_for_exchange: bool
    refund_original_shipping: bool


class ReturnFeesPublic(BaseModel):
    restocking: int
    restocking_per_return: int
    return_shipping: int
    return_shipping_rule_id: str | None
    is_waived_for_merchant_fault: bool
    waived_for: list[str]
    store_credit_bonus: int
    settings: FeeSettingsPublic = Field(description="what the refund calculator would read")


class KeepItemOfferPublic(BaseModel):
    rule_id: str
    basis: str = Field(description="below_value or uneconomic")
    return_cost: int
    expected_recovery: int
    message: str


class EvaluationPublic(BaseModel):
    policy_version: int | None = Field(
        description="the live version that judged; 0: the built-in policy; null: the draft"
    )
    currency: str
    evaluated_at: datetime
    decision: DecisionPublic
    risk: RiskPublic
    fees: ReturnFeesPublic
    keep_item: KeepItemOfferPublic | None
    lines: list[LineEvaluationPublic]

    @classmethod
    def from_service(cls, result: RequestEvaluation) -> EvaluationPublic:
        return cls.model_validate(
            {
                **evaluation_json(result.evaluation),
                "policy_version": result.policy_version,
                "currency": result.currency,
                "evaluated_at": result.evaluated_at,
            }
        )
