"""The one function that applies a return policy to a request, for every caller alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from retour.domain.errors import InvalidRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.automation import DecidedItem, RequestFacts, decide
from retour.domain.policy.document import ORDER_LINE_RULE, Policy
from retour.domain.policy.eligibility import LineVerdict, customer_limit_refusal, judge_line
from retour.domain.policy.explain import finding
from retour.domain.policy.fees import (
    FeeLine,
    RestockingBasis,
    restocking_fees,
    return_fees,
    returned_units,
    units_value,
)
from retour.domain.policy.inputs import CandidateLine, CustomerHistory, OrderContext, OrderedItem
from retour.domain.policy.keep_item import KeepItemCandidate, assess_keep_item, keep_item_offer
from retour.domain.policy.results import (
    Evaluation,
    FindingCode,
    KeepItemAssessment,
    LineEvaluation,
    LineFees,
)
from retour.domain.policy.risk import RequestedItem, assess_risk

E = TypeVar("E", bound=StrEnum)
#: Results list resolutions and methods in the enums' order (iterating an enum is slow).
_RESOLUTIONS = tuple(Resolution)
_RETURN_METHODS = tuple(ReturnMethod)


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
    _check(policy, order_context, candidate_lines, now)
    now = now.astimezone(UTC)
    today = now.astimezone(policy.timezone).date()
    order = order_context
    items = {item.order_line_id: item for item in order.items}
    customer_refusal = customer_limit_refusal(policy, customer_history, now, today)

    judged: list[_Judged] = []
    refused: dict[int, LineEvaluation] = {}
    seen: set[int] = set()
    for index, candidate in enumerate(candidate_lines):
        item = items.get(candidate.order_line_id)
        if item is None or candidate.order_line_id in seen:
            refused[index] = _not_in_order(candidate, item is None, today)
            continue
        seen.add(candidate.order_line_id)
        verdict = judge_line(policy, order, item, candidate, now, today, customer_refusal)
        judged.append(_Judged(index, item, candidate, verdict))

    eligible = [line for line in judged if not line.verdict.refusals]
    fees = restocking_fees(
        [
            RestockingBasis(
                line.items_amount,
                line.units,
                line.verdict.terms.restocking,
                line.verdict.terms.restocking_rule,
                line.candidate.is_merchant_fault,
            )
            for line in eligible
        ]
    )
    fees_by_index = {line.index: fee for line, fee in zip(eligible, fees, strict=True)}
    keep_item = policy.keep_item
    assessments = {
        line.index: assess_keep_item(
            keep_item, line.item, line.candidate.reason_code, line.units, line.value
        )
        for line in eligible
        if keep_item is not None
    }
    offer = None
    if keep_item is not None:
        offer = keep_item_offer(
            keep_item,
            [
                KeepItemCandidate(assessments[line.index], line.units, line.verdict.resolutions)
                for line in eligible
            ],
            order.label_cost,
            policy.currency,
        )

    risk = assess_risk(
        policy.risk,
        order,
        [RequestedItem(line.item, line.value, line.verdict.window.last_day) for line in judged],
        customer_history,
        now,
        today,
        policy.currency,
    )
    facts = RequestFacts(
        order,
        [
            DecidedItem(
                line.item,
                line.candidate.reason_code,
                line.candidate.is_merchant_fault,
                line.value,
                line.value // line.units if line.units else 0,
            )
            for line in eligible
        ],
        customer_history,
        risk.score,
        now,
    )
    evaluations = dict(refused)
    for line in judged:
        evaluations[line.index] = line.evaluation(
            fees_by_index.get(line.index), assessments.get(line.index), offer is not None
        )
    return Evaluation(
        lines=tuple(evaluations[index] for index in range(len(candidate_lines))),
        decision=decide(policy.automation, facts, policy.currency),
        risk=risk,
        fees=return_fees(
            policy,
            order,
            [
                FeeLine(fees_by_index[line.index], line.value, line.candidate.is_merchant_fault)
                for line in eligible
            ],
        ),
        keep_item=offer,
    )


class _Judged:
    """A candidate line that names an order line, with its verdict and value."""

    def __init__(
        self, index: int, item: OrderedItem, candidate: CandidateLine, verdict: LineVerdict
    ) -> None:
        self.index = index
        self.item = item
        self.candidate = candidate
        self.verdict = verdict
        self.units = returned_units(item, candidate.quantity)
        self.items_amount, tax = units_value(item, self.units)
        self.value = self.items_amount + tax

    def evaluation(
        self,
        fees: LineFees | None,
        keep_item: KeepItemAssessment | None,
        is_keep_item_offered: bool,
    ) -> LineEvaluation:
        verdict = self.verdict
        is_eligible = not verdict.refusals
        resolutions = verdict.resolutions
        methods = verdict.return_methods
        if is_eligible and is_keep_item_offered:
            methods = methods | {ReturnMethod.KEEP_ITEM}
        else:
            resolutions = resolutions - {Resolution.KEEP_ITEM}
        return LineEvaluation(
            order_line_id=self.candidate.order_line_id,
            quantity=self.candidate.quantity,
            reason_code=self.candidate.reason_code,
            is_eligible=is_eligible,
            refusals=verdict.refusals,
            notes=verdict.notes,
            resolutions=_ordered(resolutions, _RESOLUTIONS) if is_eligible else (),
            return_methods=_ordered(methods, _RETURN_METHODS) if is_eligible else (),
            value=self.value,
            window=verdict.window,
            fees=fees,
            keep_item=keep_item,
            is_merchant_fault=self.candidate.is_merchant_fault,
        )


def _ordered(values: frozenset[E], order: tuple[E, ...]) -> tuple[E, ...]:
    return tuple(value for value in order if value in values)


def _not_in_order(candidate: CandidateLine, is_unknown: bool, today: date) -> LineEvaluation:
    code = FindingCode.UNKNOWN_LINE if is_unknown else FindingCode.DUPLICATE_LINE
    return LineEvaluation(
        order_line_id=candidate.order_line_id,
        quantity=candidate.quantity,
        reason_code=candidate.reason_code,
        is_eligible=False,
        refusals=(finding(code, ORDER_LINE_RULE, today),),
        notes=(),
        resolutions=(),
        return_methods=(),
        is_merchant_fault=candidate.is_merchant_fault,
    )


def _check(
    policy: Policy, order: OrderContext, candidates: Sequence[CandidateLine], now: datetime
) -> None:
    """Bad input is the caller's bug or a bad request, not a policy refusal."""
    if now.utcoffset() is None:
        raise InvalidRequest("now must be an aware datetime", field="now")
    moments = {"placed_at": order.placed_at, "shipped_at": order.shipped_at}
    moments["delivered_at"] = order.delivered_at
    for item in order.items:
        moments[f"items[{item.order_line_id}].shipped_at"] = item.shipped_at
        moments[f"items[{item.order_line_id}].delivered_at"] = item.delivered_at
    for field, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:
            raise InvalidRequest(f"{field} must be an aware datetime", field=field)
    if order.currency != policy.currency:
        raise InvalidRequest(
            f"the policy's amounts are in {policy.currency}, the order's in {order.currency}",
            field="currency",
        )
    for index, candidate in enumerate(candidates):
        if candidate.quantity < 1:
            raise InvalidRequest("quantity must be at least 1", field=f"lines[{index}].quantity")
