"""The one function that applies a return policy to a request, for every caller alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from retour.domain.errors import InvalidRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.automation import RequestFacts, decide
from retour.domain.policy.codes import FindingCode
from retour.domain.policy.document import ORDER_LINE_RULE, Policy
from retour.domain.policy.eligibility import LineVerdict, customer_limit_refusal, judge_line
from retour.domain.policy.fees import restocking_fees, return_fees
from retour.domain.policy.inputs import CandidateLine, CustomerHistory, OrderContext
from retour.domain.policy.keep_item import assess_keep_item, keep_item_offer
from retour.domain.policy.request import AskedLine, PreparedRequest, prepare_request
from retour.domain.policy.results import (
    Evaluation,
    Finding,
    KeepItemAssessment,
    LineEvaluation,
    LineFees,
)
from retour.domain.policy.risk import assess_risk
from retour.domain.policy.window import extensions_for

E = TypeVar("E", bound=StrEnum)
#: Results list resolutions and methods in the enums' order (iterating an enum is slow).
_RESOLUTIONS = tuple(Resolution)
_RETURN_METHODS = tuple(ReturnMethod)
_KEEP_ITEM_RESOLUTION = frozenset({Resolution.KEEP_ITEM})
_KEEP_ITEM_METHOD = frozenset({ReturnMethod.KEEP_ITEM})
# Apart: a set of resolutions and one of methods may be equal ("keep_item" is both).
_ORDERED_RESOLUTIONS: dict[frozenset[Resolution], tuple[Resolution, ...]] = {}
_ORDERED_METHODS: dict[frozenset[ReturnMethod], tuple[ReturnMethod, ...]] = {}


def evaluate(
    policy: Policy,
    order_context: OrderContext,
    candidate_lines: Sequence[CandidateLine],
    customer_history: CustomerHistory,
    now: datetime,
) -> Evaluation:
    """Per line: eligible or not and why, what is allowed, fees, keep-item; for the request:
    the automatic decision and the risk score. Pure and deterministic: the same arguments
    always give the same answer."""
    request = prepare_request(order_context, candidate_lines, customer_history, now)
    return evaluate_prepared(policy, request)


def evaluate_prepared(policy: Policy, request: PreparedRequest) -> Evaluation:
    """`evaluate` of a request made ready by `prepare_request`: the same answer, and the
    request may be judged again under another policy for less."""
    verdicts = judge_eligibility(policy, request)
    order, history = request.order, request.history
    today = request.local(policy.timezone).today
    judged = [_Judged(line, verdict) for line, verdict in zip(request.lines, verdicts, strict=True)]
    eligible = [line for line in judged if line.is_eligible]
    fees = restocking_fees(eligible)
    for line, line_fees in zip(eligible, fees, strict=True):
        line.fees = line_fees
    keep_item = policy.keep_item
    offer = None
    if keep_item is not None:
        offered: list[tuple[KeepItemAssessment, int, frozenset[Resolution]]] = []
        for line in eligible:
            assessment = assess_keep_item(
                keep_item, line.item, line.reason_code, line.units, line.value
            )
            line.keep_item = assessment
            offered.append((assessment, line.units, line.resolutions))
        offer = keep_item_offer(keep_item, offered, order.label_cost, policy.currency)

    recent = request.returns_in_last
    risk = assess_risk(policy.risk, order, judged, history, recent, today, policy.currency)
    facts = RequestFacts(order, eligible, history, risk.score, recent)
    evaluations: list[LineEvaluation | None] = [None] * len(request.candidates)
    for index, candidate, is_unknown in request.not_in_order:
        evaluations[index] = _not_in_order(candidate, is_unknown, today)
    is_keep_item_offered = offer is not None
    for line in judged:
        evaluations[line.index] = line.evaluation(is_keep_item_offered)
    return Evaluation(
        lines=tuple(evaluation for evaluation in evaluations if evaluation is not None),
        decision=decide(policy.automation, facts, policy.rules),
        risk=risk,
        fees=return_fees(policy, order, eligible, fees),
        keep_item=offer,
    )


def judge_eligibility(policy: Policy, request: PreparedRequest) -> list[LineVerdict]:
    """The verdict of each of `request.lines` (the candidates that name an order line), as
    `evaluate_prepared` gives them and works on: whether eligible, why, and the window; for a
    caller that reads nothing else (a simulation of lines nobody returned)."""
    _check(policy, request)
    order, now = request.order, request.now
    days = request.local(policy.timezone)
    extensions = extensions_for(policy, days.ordered_on)
    customer_refusal = customer_limit_refusal(policy, request.returns_in_last, days.today)
    return [
        judge_line(policy, order, line, days, extensions, now, customer_refusal)
        for line in request.lines
    ]


class _Judged:
    """A candidate line that names an order line, with its verdict and what it is worth."""

    __slots__ = (
        "candidate",
        "fees",
        "index",
        "is_eligible",
        "is_merchant_fault",
        "item",
        "items_amount",
        "keep_item",
        "last_day",
        "reason_code",
        "resolutions",
        "restocking",
        "restocking_rule",
        "unit_value",
        "units",
        "value",
        "verdict",
    )

    def __init__(self, line: AskedLine, verdict: LineVerdict) -> None:
        candidate = line.candidate
        self.index = line.index
        self.item = line.item
        self.candidate = candidate
        self.reason_code = candidate.reason_code
        self.is_merchant_fault = candidate.is_merchant_fault
        self.units = line.units
        self.items_amount = line.items_amount
        self.value = line.value
        self.unit_value = line.unit_value
        self.verdict = verdict
        self.is_eligible = not verdict.refusals
        self.resolutions = verdict.resolutions
        self.restocking = verdict.terms.restocking
        self.restocking_rule = verdict.terms.restocking_rule
        self.last_day: date = verdict.window.last_day
        self.fees: LineFees | None = None
        self.keep_item: KeepItemAssessment | None = None

    def evaluation(self, is_keep_item_offered: bool) -> LineEvaluation:
        verdict, candidate = self.verdict, self.candidate
        resolutions: tuple[Resolution, ...] = ()
        methods: tuple[ReturnMethod, ...] = ()
        if self.is_eligible:
            if is_keep_item_offered:
                resolutions = _ordered_resolutions(verdict.resolutions)
                methods = _ordered_methods(verdict.return_methods | _KEEP_ITEM_METHOD)
            else:
                resolutions = _ordered_resolutions(verdict.resolutions - _KEEP_ITEM_RESOLUTION)
                methods = _ordered_methods(verdict.return_methods)
        return LineEvaluation(
            order_line_id=candidate.order_line_id,
            quantity=candidate.quantity,
            reason_code=candidate.reason_code,
            is_eligible=self.is_eligible,
            refusals=verdict.refusals,
            notes=verdict.notes,
            resolutions=resolutions,
            return_methods=methods,
            value=self.value,
            window=verdict.window,
            fees=self.fees,
            keep_item=self.keep_item,
            is_merchant_fault=candidate.is_merchant_fault,
        )


def _ordered_resolutions(values: frozenset[Resolution]) -> tuple[Resolution, ...]:
    found = _ORDERED_RESOLUTIONS.get(values)
    if found is None:
        found = _ORDERED_RESOLUTIONS[values] = _ordered(values, _RESOLUTIONS)
    return found


def _ordered_methods(values: frozenset[ReturnMethod]) -> tuple[ReturnMethod, ...]:
    found = _ORDERED_METHODS.get(values)
    if found is None:
        found = _ORDERED_METHODS[values] = _ordered(values, _RETURN_METHODS)
    return found


def _ordered(values: frozenset[E], order: tuple[E, ...]) -> tuple[E, ...]:
    return tuple(value for value in order if value in values)


def _not_in_order(candidate: CandidateLine, is_unknown: bool, today: date) -> LineEvaluation:
    code = FindingCode.UNKNOWN_LINE if is_unknown else FindingCode.DUPLICATE_LINE
    return LineEvaluation(
        order_line_id=candidate.order_line_id,
        quantity=candidate.quantity,
        reason_code=candidate.reason_code,
        is_eligible=False,
        refusals=(Finding(code, ORDER_LINE_RULE, {}, today),),
        notes=(),
        resolutions=(),
        return_methods=(),
        is_merchant_fault=candidate.is_merchant_fault,
    )


def _check(policy: Policy, request: PreparedRequest) -> None:
    """Bad input is the caller's bug or a bad request, not a policy refusal (the instants
    were checked when the request was prepared)."""
    currency = request.order.currency
    if currency != policy.currency:
        raise InvalidRequest(
            f"the policy's amounts are in {policy.currency}, the order's in {currency}",
            field="currency",
        )
    for index, candidate in enumerate(request.candidates):
        if candidate.quantity < 1:
            raise InvalidRequest("quantity must be at least 1", field=f"lines[{index}].quantity")
