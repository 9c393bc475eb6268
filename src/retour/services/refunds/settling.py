"""Settling a pending refund with the payment providers, and retrying or voiding failed ones.

Providers are called outside any transaction, each with a key derived from the allocation
and its key generation: calling twice (a crash, two workers) cannot move money twice. A
definite refusal bumps the generation so that a retry is a new request at the provider; an
unknown outcome (timeout, 5xx) keeps it, so the retry is deduplicated by the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from retour.db.models import OrderPayment, RefundAllocationRow, RefundRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import IllegalTransition
from retour.payments.base import (
    ProviderRefundRequest,
    ProviderResult,
    ProviderStatus,
    ProviderUnavailable,
)
from retour.payments.registry import PaymentProviders
from retour.services.context import Actor
from retour.services.errors import NotFound
from retour.services.refunds.presenting import record_refund_event
from retour.services.refunds.status import refresh_refund_status
from retour.services.returns.common import load_return


@dataclass(frozen=True)
class _Call:
    allocation_id: int
    gateway: str
    request: ProviderRefundRequest
    existing_reference: str


@dataclass(frozen=True)
class _Outcome:
    allocation_id: int
    result: ProviderResult
    is_unknown: bool = False


def provider_key(store_id: int, allocation: RefundAllocationRow) -> str:
    """One key per store, refund part and generation."""
    parts = (store_id, allocation.refund_id, allocation.id, allocation.key_generation)
    return "retour-refund-" + "-".join(str(part) for part in parts)


def settle_refund(
    new_uow: Callable[[], UnitOfWork],
    store_id: int,
    refund_id: int,
    providers: PaymentProviders,
    now: Callable[[], datetime],
    actor: Actor,
) -> RefundRow:
    """Ask the providers to pay back each pending part; record what they answer."""
    calls = _pending_calls(new_uow(), store_id, refund_id)
    outcomes = [_call_provider(call, providers) for call in calls]
    return _record(new_uow(), store_id, refund_id, outcomes, now(), actor)


def settle_pending_refunds(
    new_uow: Callable[[], UnitOfWork],
    providers: PaymentProviders,
    now: Callable[[], datetime],
    actor: Actor,
    store_id: int | None = None,
    return_id: int | None = None,
    updated_before: datetime | None = None,
) -> list[RefundRow]:
    """Settle every pending refund (of one store or return; untouched since `updated_before`):
    after automatic refunds, and to finish refunds a crash left pending (`retour refunds
    settle`, and the workers' chore)."""
    with new_uow() as uow:
        pending = uow.refunds.pending(
            store_id=store_id, return_id=return_id, updated_before=updated_before
        )
    return [
        settle_refund(new_uow, refund_store_id, refund_id, providers, now, actor)
        for refund_store_id, refund_id in pending
    ]


def retry_refund(
    uow: UnitOfWork, store_id: int, refund_id: int, actor: Actor, now: datetime
) -> RefundRow:
    """Put a failed refund's failed parts back to pending; settle it next."""
    with uow:
        refund = _get(uow, store_id, refund_id)
        ret = load_return(uow, store_id, refund.return_id)
        refund = _get(uow, store_id, refund_id)
        if refund.status != "failed":
            raise IllegalTransition("retry", f"a {refund.status} refund")
        for allocation in refund.allocations:
            if allocation.status == "failed":
                allocation.status = "pending"
                # A refund the provider refused is not asked about again: a new one is made.
                allocation.provider_reference = ""
        refund.status = "pending"
        refund.updated_at = now
        record_refund_event(uow, refund, actor, now, "refund.retried")
        refresh_refund_status(uow, ret)
        uow.commit()
    return refund


def void_refund(
    uow: UnitOfWork, store_id: int, refund_id: int, actor: Actor, now: datetime, reason: str
) -> RefundRow:
    """Give up on a failed refund that moved no money, so the return can be paid another way."""
    with uow:
        refund = _get(uow, store_id, refund_id)
        ret = load_return(uow, store_id, refund.return_id)
        refund = _get(uow, store_id, refund_id)
        if refund.status != "failed":
            raise IllegalTransition("void", f"a {refund.status} refund")
        if any(allocation.status == "succeeded" for allocation in refund.allocations):
            raise IllegalTransition("void", "a refund that already paid part back; retry it")
        refund.status = "voided"
        refund.adjustment_reason = "; ".join(
            part for part in (refund.adjustment_reason, reason.strip()) if part
        )
        refund.updated_at = now
        record_refund_event(uow, refund, actor, now, "refund.voided", reason=reason)
        refresh_refund_status(uow, ret)
        uow.commit()
    return refund


def _get(uow: UnitOfWork, store_id: int, refund_id: int) -> RefundRow:
    refund = uow.refunds.get(store_id, refund_id)
    if refund is None:
        raise NotFound("refund", refund_id)
    return refund


def _pending_calls(uow: UnitOfWork, store_id: int, refund_id: int) -> list[_Call]:
    with uow:
        refund = _get(uow, store_id, refund_id)
        if refund.status != "pending":
            return []
        calls = []
        for allocation in refund.allocations:
            if allocation.status != "pending":
                continue
            payment = uow.session.get(OrderPayment, allocation.payment_id)
            assert payment is not None
            calls.append(
                _Call(
                    allocation_id=allocation.id,
                    gateway=payment.gateway,
                    request=ProviderRefundRequest(
                        payment_reference=payment.platform_payment_id,
                        amount=allocation.amount,
                        currency=refund.currency,
                        idempotency_key=provider_key(store_id, allocation),
                        description=f"Retour refund {refund.id} (return {refund.return_id})",
                    ),
                    existing_reference=allocation.provider_reference,
                )
            )
        return calls


def _call_provider(call: _Call, providers: PaymentProviders) -> _Outcome:
    provider = providers.for_gateway(call.gateway)
    if provider is None:
        message = f"no payment provider is configured for gateway {call.gateway!r}"
        return _Outcome(call.allocation_id, ProviderResult(ProviderStatus.FAILED, message=message))
    try:
        if call.existing_reference:
            # The provider took it earlier and said "pending": ask how it ended.
            return _Outcome(call.allocation_id, provider.fetch_refund(call.existing_reference))
        return _Outcome(call.allocation_id, provider.refund(call.request))
    except ProviderUnavailable as error:
        message = f"{provider.name} unavailable, outcome unknown: {error}"
        result = ProviderResult(ProviderStatus.FAILED, message=message)
        return _Outcome(call.allocation_id, result, is_unknown=True)


def _record(
    uow: UnitOfWork,
    store_id: int,
    refund_id: int,
    outcomes: list[_Outcome],
    now: datetime,
    actor: Actor,
) -> RefundRow:
    with uow:
        refund = _get(uow, store_id, refund_id)
        ret = load_return(uow, store_id, refund.return_id)
        refund = _get(uow, store_id, refund_id)
        if refund.status != "pending":
            return refund  # someone else settled it meanwhile
        by_id = {allocation.id: allocation for allocation in refund.allocations}
        for outcome in outcomes:
            _apply(by_id[outcome.allocation_id], outcome)
        refund.attempts += 1
        refund.updated_at = now
        statuses = {allocation.status for allocation in refund.allocations}
        if statuses == {"succeeded"}:
            refund.status = "succeeded"
            refund.succeeded_at = now
        elif "failed" in statuses:
            refund.status = "failed"
        refund.provider_reference = ", ".join(
            a.provider_reference for a in refund.allocations if a.provider_reference
        )
        refund.failure_message = "; ".join(
            a.failure_message for a in refund.allocations if a.status == "failed"
        )
        if refund.status != "pending":
            record_refund_event(uow, refund, actor, now)
        refresh_refund_status(uow, ret)
        uow.commit()
    return refund


def _apply(allocation: RefundAllocationRow, outcome: _Outcome) -> None:
    result = outcome.result
    if result.reference:
        allocation.provider_reference = result.reference
    if result.status is ProviderStatus.SUCCEEDED:
        allocation.status = "succeeded"
        allocation.failure_message = ""
    elif result.status is ProviderStatus.FAILED:
        allocation.status = "failed"
        allocation.failure_message = result.message
        if not outcome.is_unknown:
            allocation.key_generation += 1
