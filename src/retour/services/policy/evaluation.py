"""Evaluate a request under the store's policy (or a draft) without creating anything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.policy import Evaluation, Policy, evaluate
from retour.services.policy.inputs import LineAsk, PolicyInputs, gather_policy_inputs
from retour.services.policy.live import draft_policy, policy_in_force


@dataclass(frozen=True)
class EvaluationRequest:
    order_id: int
    lines: Sequence[LineAsk]
    #: A policy document to try instead of the live one (not saved).
    draft: dict[str, Any] | None = None
    #: The country the parcel would leave from; default: where the order was shipped.
    return_country: str | None = None
    #: What the carrier quotes for the return label, when known.
    label_cost: int | None = None


@dataclass(frozen=True)
class Judgement:
    """The engine's inputs as read for a request, and its evaluation of them."""

    inputs: PolicyInputs
    evaluation: Evaluation


@dataclass(frozen=True)
class RequestEvaluation:
    #: The live version that judged it; 0: the built-in policy; None: the draft.
    policy_version: int | None
    currency: str
    evaluated_at: datetime
    evaluation: Evaluation


def evaluate_request(
    uow: UnitOfWork, store_id: int, request: EvaluationRequest, now: datetime
) -> RequestEvaluation:
    """Evaluate without creating anything, under the policy in force or a draft."""
    active = draft_policy(request.draft, "/policy") if request.draft is not None else None
    with uow:
        if active is None:
            active = policy_in_force(uow, store_id)
        judgement = judge_request(
            uow,
            store_id,
            active.policy,
            request.order_id,
            request.lines,
            now,
            return_country=request.return_country,
            label_cost=request.label_cost,
        )
    return RequestEvaluation(active.version, active.policy.currency, now, judgement.evaluation)


def judge_request(
    uow: UnitOfWork,
    store_id: int,
    policy: Policy,
    order_id: int,
    asks: Sequence[LineAsk],
    now: datetime,
    *,
    return_country: str | None = None,
    label_cost: int | None = None,
    held: Iterable[tuple[int, int]] | None = None,
    merchant_fault: Mapping[str, bool] | None = None,
) -> Judgement:
    """Per line: eligible or not and why, what is allowed, fees, keep-item; for the request:
    the automatic decision and the risk score. The evaluate API and the creation of a return
    both judge requests with this one function, inside the caller's unit of work."""
    inputs = gather_policy_inputs(
        uow,
        store_id,
        policy,
        order_id,
        asks,
        return_country=return_country,
        label_cost=label_cost,
        held=held,
        merchant_fault=merchant_fault,
    )
    return Judgement(inputs, evaluate(policy, inputs.order, inputs.lines, inputs.history, now))
