"""What `evaluate` answers: per line, eligibility with reasons, what is allowed, fees, keep-item;
for the whole request, the automatic decision and the risk score with its signals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from retour.domain.lines import Grade, Resolution, ReturnMethod
from retour.domain.policy.codes import FindingCode, Params
from retour.domain.policy.document import Outcome
from retour.domain.policy.sentences import finding_text
from retour.domain.refund_quote import FeeSettings


@dataclass(frozen=True)
class Finding:
    """A refusal or a note: a stable code and parameters to translate, the rule behind it, and
    the sentence in English (written from them when first read)."""

    code: FindingCode
    rule_id: str
    params: Params
    #: The store's date when the finding was made: the sentence leaves this year's year out.
    today: date = field(repr=False)

    @cached_property
    def message(self) -> str:
        return finding_text(self.code, self.params, self.today)


class WindowBasis(StrEnum):
    DELIVERED = "delivered"
    #: Shipped date plus the policy's transit days.
    SHIPPED = "shipped"
    ORDERED = "ordered"


@dataclass(frozen=True)
class ReturnWindow:
    #: The rule that set the last day: the default, an override or an extension.
    rule_id: str
    basis: WindowBasis
    starts_on: date
    last_day: date
    #: The first instant after the last day in the store's timezone, in UTC.
    ends_at: datetime


@dataclass(frozen=True)
class LineFees:
    """The restocking fee of the requested units (0 when the reason is the merchant's fault)."""

    restocking: int
    rule_id: str
    percent_bp: int = 0
    fixed_per_unit: int = 0
    is_waived_for_merchant_fault: bool = False


@dataclass(frozen=True)
class KeepItemAssessment:
    """What sending the units back would recover, by the keep-item cost model."""

    unit_value: int
    value: int
    expected_grade: Grade
    recovery_bp: int
    expected_recovery: int
    is_below_value: bool


@dataclass(frozen=True)
class LineEvaluation:
    order_line_id: int
    quantity: int
    reason_code: str
    is_eligible: bool
    refusals: tuple[Finding, ...]
    notes: tuple[Finding, ...]
    resolutions: tuple[Resolution, ...]
    return_methods: tuple[ReturnMethod, ...]
    #: Paid value of the requested units, tax included.
    value: int = 0
    window: ReturnWindow | None = None
    fees: LineFees | None = None
    keep_item: KeepItemAssessment | None = None
    is_merchant_fault: bool = False


class KeepItemBasis(StrEnum):
    BELOW_VALUE = "below_value"
    UNECONOMIC = "uneconomic"


@dataclass(frozen=True)
class KeepItemOffer:
    """The shopper may keep every eligible item (return method `keep_item`)."""

    rule_id: str
    basis: KeepItemBasis
    #: Label plus handling: what sending the items back would cost the store.
    return_cost: int
    expected_recovery: int
    message: str


@dataclass(frozen=True)
class ReturnFees:
    """The fees of the eligible lines, and the calculator's settings for this return."""

    restocking: int
    restocking_per_return: int
    #: Charged when the parcel travels on the store's label or drop-off code.
    return_shipping: int
    return_shipping_rule_id: str | None
    is_waived_for_merchant_fault: bool
    waived_for: tuple[Resolution, ...]
    #: Store credit on top when the shopper takes store credit for every eligible line.
    store_credit_bonus: int
    #: What the refund calculator reads for this return (see fees.fee_settings).
    settings: FeeSettings


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    rule_id: str
    message: str


class RiskSignalCode(StrEnum):
    SERIAL_RETURNER = "serial_returner"
    HIGH_VALUE = "high_value"
    BRACKETING = "bracketing"
    NEAR_WINDOW_END = "near_window_end"
    NEW_CUSTOMER = "new_customer"
    ADDRESS_MISMATCH = "address_mismatch"
    VELOCITY = "velocity"


@dataclass(frozen=True)
class RiskSignal:
    code: RiskSignalCode
    weight: int
    params: Params
    message: str


@dataclass(frozen=True)
class RiskAssessment:
    """0–100: the sum of the weights of the signals that fired, at most 100."""

    score: int
    signals: tuple[RiskSignal, ...]


@dataclass(frozen=True)
class Evaluation:
    lines: tuple[LineEvaluation, ...]
    decision: Decision
    risk: RiskAssessment
    fees: ReturnFees
    keep_item: KeepItemOffer | None

    @property
    def is_eligible(self) -> bool:
        return any(line.is_eligible for line in self.lines)

    @property
    def eligible_lines(self) -> tuple[LineEvaluation, ...]:
        return tuple(line for line in self.lines if line.is_eligible)
