"""Opening a refund: check it against the quote, record it, and settle what needs no provider.

A refund to the original payment is recorded `pending` here and committed before any provider
is called (`settling.py` calls it); manual refunds and store credit need no provider and are
`succeeded` at once. The return's row lock, then the order's, make concurrent refunds take
turns, so together they can never pay back more than the quote allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retour.db.models import RefundAllocationRow, RefundLineRow, RefundRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.refund_basis import ensure_refundable
from retour.domain.refund_quote import MethodTotal, QuoteMethod, RefundMethod
from retour.domain.returns import Return
from retour.domain.tender import PaymentBalance, split_refund
from retour.payments.registry import PaymentProviders
from retour.services.context import Actor
from retour.services.errors import IdempotencyMismatch, NotFound
from retour.services.refunds.presenting import quote_payload, record_refund_event
from retour.services.refunds.quoting import quote_with_money
from retour.services.refunds.status import refresh_refund_status
from retour.services.store_credit.accounts import account_for
from retour.services.store_credit.issuing import credit_for_return


@dataclass(frozen=True)
class RefundInstruction:
    method: RefundMethod
    #: Paid money to give back; None takes the quote's amount for the method.
    amount: int | None = None
    #: Why the amount differs from the quote (required when it does).
    reason: str = ""
    #: For manual refunds: where the money went (bank or till reference).
    reference: str = ""
    idempotency_key: str | None = None


def open_refund(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    instruction: RefundInstruction,
    actor: Actor,
    now: datetime,
    providers: PaymentProviders | None,
) -> tuple[RefundRow, bool]:
    """Record a refund of a return; the same idempotency key always gives the same refund.

    Returns the refund and whether it was a replay of an earlier request with the same key.
    `providers` None skips the check that each payment's gateway has a provider (automatic
    refunds: a missing provider then shows as a failed refund).
    """
    key = instruction.idempotency_key or f"retour-{uuid.uuid4().hex}"
    with uow:
        if instruction.idempotency_key is not None:
            existing = uow.refunds.by_idempotency_key(store_id, key)
            if existing is not None:
                return _replayed(existing, instruction, return_id), True
        ret = uow.returns.read_locked(store_id, return_id)
        if ret is None:
            raise NotFound("return", return_id)
        ensure_refundable(ret)
        if uow.refunds.has_active_replacement(return_id):
            raise IllegalTransition("refund", "being exchanged (cancel the exchange first)")
        money = uow.refunds.order_money(ret.order_id, for_update=True)
        earlier = uow.refunds.return_refunds(return_id)
        quote = quote_with_money(uow, ret, money, earlier)
        if not quote.lines and quote.shipping_amount == 0:
            raise IllegalTransition("refund", "fully refunded")
        quoted = quote.method(_quote_method(instruction.method))
        amount = _checked_amount(instruction, quoted, quote.refundable)
        refund = RefundRow(
            store_id=store_id,
            return_id=return_id,
            order_id=ret.order_id,
            method=instruction.method.value,
            provider=_provider_name(instruction.method),
            status="pending",
            currency=quote.currency,
            amount=amount + quoted.bonus,
            paid_amount=amount,
            bonus_amount=quoted.bonus,
            items_amount=quote.items_amount,
            tax_amount=quote.tax_amount,
            shipping_amount=quote.shipping_amount,
            # Staff who pay back more than the quote waive (part of) its fees.
            fees_amount=min(quoted.fees_charged, max(quote.refundable - amount, 0)),
            fixed_fees_charged=quoted.charges_fixed_fees,
            breakdown={
                **quote_payload(quote),
                "method": instruction.method.value,
                "quoted_amount": quoted.paid_amount,
            },
            adjustment_reason=instruction.reason.strip(),
            idempotency_key=key,
            provider_reference="",
            failure_message="",
            attempts=0,
            actor=str(actor),
            created_at=now,
            updated_at=now,
            succeeded_at=None,
        )
        refund.lines = [
            RefundLineRow(
                store_id=store_id,
                return_line_id=line.return_line_id,
                order_line_id=line.order_line_id,
                units=line.units,
                items_amount=line.items_amount,
                tax_amount=line.tax_amount,
            )
            for line in quote.lines
        ]
        refund.allocations = []
        if instruction.method is not RefundMethod.STORE_CREDIT:
            refund.allocations = _allocations(store_id, amount, money.payments, instruction)
            if instruction.method is RefundMethod.ORIGINAL_PAYMENT and providers is not None:
                _ensure_providers(refund.allocations, money.payments, providers)
        if instruction.method is not RefundMethod.ORIGINAL_PAYMENT:
            # Manual refunds and store credit need no provider: done as they are recorded.
            refund.status = "succeeded"
            refund.succeeded_at = now
        if instruction.method is RefundMethod.STORE_CREDIT:
            refund.provider_reference = account_for(
                uow, store_id, ret.customer_email, refund.currency, now
            ).code
        uow.refunds.add(refund)
        if instruction.method is RefundMethod.STORE_CREDIT:
            _pay_in_store_credit(uow, ret, refund, actor, now)
        record_refund_event(uow, refund, actor, now)
        refresh_refund_status(uow, ret, earlier.adding(refund))
        uow.commit()
    return refund, False


def _quote_method(method: RefundMethod) -> QuoteMethod:
    if method is RefundMethod.STORE_CREDIT:
        return QuoteMethod.STORE_CREDIT
    return QuoteMethod.ORIGINAL_PAYMENT


def _provider_name(method: RefundMethod) -> str:
    return {
        RefundMethod.STORE_CREDIT: "store_credit",
        RefundMethod.MANUAL: "manual",
        RefundMethod.ORIGINAL_PAYMENT: "payment_provider",
    }[method]


def _checked_amount(instruction: RefundInstruction, quoted: MethodTotal, limit: int) -> int:
    """The quote's amount, or the staff's own within the refundable limit, with a reason."""
    if instruction.amount is None:
        amount = quoted.paid_amount
    else:
        amount = instruction.amount
        if amount < 0:
            raise InvalidRequest("amount must not be negative", field="amount")
        if amount > limit:
            raise QuantityExceeded(
                f"amount {amount} exceeds the refundable limit of {limit}",
                field="amount",
                maximum=limit,
            )
        if amount != quoted.paid_amount and not instruction.reason.strip():
            raise InvalidRequest(
                f"the quote says {quoted.paid_amount}; say why this refund differs",
                field="reason",
            )
    if amount == 0 and quoted.bonus == 0:
        raise InvalidRequest("nothing to refund: the amount is zero", field="amount")
    if instruction.method is RefundMethod.MANUAL and not instruction.reference.strip():
        raise InvalidRequest(
            "say where the money went (a bank or till reference)", field="reference"
        )
    return amount


def _allocations(
    store_id: int, amount: int, payments: Sequence[PaymentBalance], instruction: RefundInstruction
) -> list[RefundAllocationRow]:
    is_manual = instruction.method is RefundMethod.MANUAL
    return [
        RefundAllocationRow(
            store_id=store_id,
            payment_id=part.payment_id,
            amount=part.amount,
            status="succeeded" if is_manual else "pending",
            provider_reference=instruction.reference.strip() if is_manual else "",
            failure_message="",
            key_generation=1,
        )
        for part in split_refund(amount, payments)
    ]


def _ensure_providers(
    allocations: list[RefundAllocationRow],
    payments: Sequence[PaymentBalance],
    providers: PaymentProviders,
) -> None:
    gateways = {payment.payment_id: payment.gateway for payment in payments}
    for allocation in allocations:
        gateway = gateways[allocation.payment_id]
        if providers.for_gateway(gateway) is None:
            raise InvalidRequest(
                f"no payment provider is configured for gateway {gateway!r}; "
                "refund with method manual or store_credit",
                field="method",
            )


def _pay_in_store_credit(
    uow: UnitOfWork, ret: Return, refund: RefundRow, actor: Actor, now: datetime
) -> None:
    reason = f"refund for return {ret.number}"
    credit_for_return(uow, ret, refund, refund.amount, reason, actor, now)


def _replayed(existing: RefundRow, instruction: RefundInstruction, return_id: int) -> RefundRow:
    same = (
        existing.return_id == return_id
        and existing.method == instruction.method.value
        and (instruction.amount is None or instruction.amount == existing.paid_amount)
    )
    if not same:
        raise IdempotencyMismatch()
    return existing
