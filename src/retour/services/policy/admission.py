"""A new return under the store's live policy: admit it or refuse it naming each line and
rule, record what the policy said, and carry out its automatic decision.

Staff may override any refusal with a reason; the return is then created, waits for a person
(no automatic decision), and the override is kept with the return and on its timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import LineRequest
from retour.domain.lines import MERCHANT_SHIPPING_METHODS, Resolution, ReturnMethod
from retour.domain.policy import FindingCode, LineEvaluation, Outcome, Policy
from retour.domain.policy.codes import Params
from retour.domain.policy.eligibility import item_terms
from retour.domain.policy.results import Finding
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.policy.evaluation import Judgement, judge_request
from retour.services.policy.inputs import CurrencyMismatch, LineAsk
from retour.services.policy.live import ActivePolicy
from retour.services.policy.snapshot import days_left_in_window, evaluation_json

OVERRIDE_RULE = "retour.staff_override"
CURRENCY_RULE = "retour.currency"
#: Notes of restrictions that narrow an item's resolutions, latest applied last.
_NARROWING = (
    FindingCode.DISCOUNT_STORE_CREDIT_ONLY,
    FindingCode.REASON_TERMS,
    FindingCode.GIFT_ORDER,
)


@dataclass(frozen=True)
class Refusal:
    """Why one line (`index` into the request's lines; None: the whole request) may not be
    returned as asked: the English `message` and what it is written from (`code`, `params`),
    so the portal can write it in the shopper's language."""

    index: int | None
    order_line_id: int | None
    code: str
    rule_id: str
    message: str
    #: The finding's parameters (docs/policy.md), or the resolutions and methods asked for
    #: and allowed.
    params: Params = field(default_factory=dict)
    #: The store's date when refused, for the sentence's days (this year's year left out).
    today: date | None = None

    @classmethod
    def of_finding(cls, index: int, order_line_id: int, finding: Finding) -> Refusal:
        return cls(
            index, order_line_id, finding.code.value, finding.rule_id, finding.message,
            finding.params, finding.today,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.index,
            "order_line_id": self.order_line_id,
            "code": self.code,
            "rule_id": self.rule_id,
            "message": self.message,
            "params": dict(self.params),
        }


class NotEligible(InvalidRequest):
    """The policy refuses lines of the request; `refusals` lists each with its rule."""

    code = "not_eligible"

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = tuple(refusals)
        first = refusals[0]
        super().__init__(
            "; ".join(_sentence(refusal) for refusal in refusals),
            field=f"lines[{first.index}]" if first.index is not None else "order_id",
            refusals=[refusal.as_json() for refusal in refusals],
        )


@dataclass(frozen=True)
class Admission:
    """What the live policy said of a new return, ready to be stored with it."""

    version: int
    outcome: Outcome
    rule_id: str
    message: str
    snapshot: dict[str, Any]
    risk_score: int | None
    window_days_left: int | None
    is_overridden: bool


def admit_return(
    uow: UnitOfWork,
    store_id: int,
    live: ActivePolicy,
    order_id: int,
    lines: Sequence[LineRequest],
    resolution: Resolution,
    return_method: ReturnMethod,
    held: Iterable[tuple[int, int]],
    override_reason: str | None,
    now: datetime,
) -> Admission:
    """Judge the request under the live policy; refused lines raise `NotEligible` unless
    staff give an `override_reason`."""
    asks = [LineAsk(line.order_line_id, line.quantity, line.reason_code, line.reason_note)
            for line in lines]  # fmt: skip
    # The built-in carrier's labels cost the store's `label_cost`: a policy whose return
    # shipping fee is the label's cost charges that.
    label_cost = (
        uow.stores.fee_settings(store_id).label_cost
        if return_method in MERCHANT_SHIPPING_METHODS
        else None
    )
    try:
        judgement: Judgement | None = judge_request(
            uow, store_id, live.policy, order_id, asks, now, held=held, label_cost=label_cost
        )
    except CurrencyMismatch as mismatch:
        if not override_reason:
            raise
        judgement = None
        refusals = [Refusal(None, None, mismatch.code, CURRENCY_RULE, mismatch.detail)]
    if judgement is not None:
        refusals = _refusals(live.policy, judgement, lines, resolution, return_method)
    if refusals and not override_reason:
        raise NotEligible(refusals)
    return _admission(live, judgement, refusals, override_reason or "", now)


def apply_decision(uow: UnitOfWork, ret: Return, admission: Admission, now: datetime) -> Return:
    """Approve or reject the new return as the policy decided, in the caller's transaction,
    through the same use cases staff call; `review` (and any override) leaves it requested."""
    from retour.services.returns.review import approve_return, reject_return

    if ret.id is None or admission.is_overridden or admission.outcome is Outcome.REVIEW:
        return ret
    actor = Actor("policy", admission.rule_id)
    if admission.outcome is Outcome.APPROVE:
        return approve_return(uow, ret.store_id, ret.id, actor, now)
    return reject_return(uow, ret.store_id, ret.id, actor, now, admission.message)


def record_admission(ret: Return, admission: Admission) -> None:
    """Keep the policy's word with the new return and on its `return.requested` event."""
    ret.policy_version = admission.version
    ret.policy_decision = admission.snapshot
    ret.risk_score = admission.risk_score
    ret.window_days_left = admission.window_days_left
    summary: dict[str, Any] = {
        "version": admission.version,
        "decision": admission.outcome.value,
        "rule_id": admission.rule_id,
        "risk_score": admission.risk_score,
    }
    if admission.is_overridden:
        summary["override"] = admission.snapshot["override"]
    ret.events[:] = [
        replace(event, payload={**event.payload, "policy": summary})
        if event.name == "return.requested"
        else event
        for event in ret.events
    ]


def _refusals(
    policy: Policy,
    judgement: Judgement,
    lines: Sequence[LineRequest],
    resolution: Resolution,
    return_method: ReturnMethod,
) -> list[Refusal]:
    """Each line's refusals, then what the line does not allow of what was asked."""
    items = {item.order_line_id: item for item in judgement.inputs.order.items}
    refusals: list[Refusal] = []
    for index, (line, judged) in enumerate(zip(lines, judgement.evaluation.lines, strict=True)):
        line_id = line.order_line_id
        if not judged.is_eligible:
            refusals.extend(Refusal.of_finding(index, line_id, found) for found in judged.refusals)
            continue
        item = items[line_id]
        asked = line.resolution or resolution
        if asked not in judged.resolutions:
            allowed = ", ".join(value.replace("_", " ") for value in judged.resolutions)
            rule = _resolutions_rule(judged) or item_terms(policy, item).resolutions_rule
            message = f"{_label(asked)} is not available for this item (only {allowed})"
            params = {"resolution": asked.value, "resolutions": ",".join(judged.resolutions)}
            refusals.append(
                Refusal(index, line_id, "resolution_not_allowed", rule, message, params)
            )
        if return_method not in judged.return_methods:
            allowed = ", ".join(value.replace("_", " ") for value in judged.return_methods)
            rule = (
                _methods_rule(policy, line.reason_code)
                or item_terms(policy, item).return_methods_rule
            )
            message = f"{_label(return_method)} is not available for this item (only {allowed})"
            params = {
                "return_method": return_method.value,
                "return_methods": ",".join(judged.return_methods),
            }
            refusals.append(
                Refusal(index, line_id, "return_method_not_allowed", rule, message, params)
            )
    return refusals


def _admission(
    live: ActivePolicy,
    judgement: Judgement | None,
    refusals: Sequence[Refusal],
    override_reason: str,
    now: datetime,
) -> Admission:
    assert live.version is not None
    evaluation = judgement.evaluation if judgement is not None else None
    override = None
    if override_reason:
        override = {"reason": override_reason, "refusals": [r.as_json() for r in refusals]}
        outcome, rule_id = Outcome.REVIEW, OVERRIDE_RULE
        message = f"Waiting for staff: the policy was overridden ({override_reason})"
    else:
        assert evaluation is not None
        decision = evaluation.decision
        outcome, rule_id, message = decision.outcome, decision.rule_id, decision.message
    today = now.astimezone(live.policy.timezone).date()
    return Admission(
        version=live.version,
        outcome=outcome,
        rule_id=rule_id,
        message=message,
        snapshot={
            "decision": {"outcome": outcome.value, "rule_id": rule_id, "message": message},
            "override": override,
            "evaluation": evaluation_json(evaluation) if evaluation is not None else None,
        },
        risk_score=evaluation.risk.score if evaluation is not None else None,
        window_days_left=days_left_in_window(evaluation, today) if evaluation else None,
        is_overridden=override is not None,
    )


def _resolutions_rule(judged: LineEvaluation) -> str | None:
    """The restriction that narrowed the line's resolutions last (a discount, a reason, a
    gift order), when one did."""
    narrowing = [note.rule_id for note in judged.notes if note.code in _NARROWING]
    return narrowing[-1] if narrowing else None


def _methods_rule(policy: Policy, reason_code: str) -> str | None:
    rules = [
        rule.id
        for rule in policy.reasons
        if reason_code in rule.codes and rule.return_methods is not None
    ]
    return rules[-1] if rules else None


def _label(value: Resolution | ReturnMethod) -> str:
    return value.value.replace("_", " ").capitalize()


def _sentence(refusal: Refusal) -> str:
    where = "the request" if refusal.index is None else f"line {refusal.index}"
    return f"{where}: {refusal.message} [{refusal.rule_id}]"
