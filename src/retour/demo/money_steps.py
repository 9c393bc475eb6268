"""The money in a return's story: staff pay it back, a size sells out, exchanges go out."""

from __future__ import annotations

from datetime import datetime

from retour.db.models import ReplacementOrderRow
from retour.demo.return_plans import ReturnPlan
from retour.demo.stage import Stage, psp_reference, saved_id
from retour.domain.exchanges import ReplacementStatus
from retour.domain.lines import Resolution
from retour.domain.refund_basis import refund_basis
from retour.domain.refund_quote import RefundMethod
from retour.domain.returns import Return
from retour.payments.registry import NO_PROVIDERS
from retour.services.context import Actor
from retour.services.exchanges.lifecycle import release_exchange, ship_exchange
from retour.services.exchanges.records import active_replacement
from retour.services.exchanges.stock import sellable_units
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.quoting import quote_return_refund
from retour.services.stock_adjustments import adjust_stock

GOODWILL_REASON = "goodwill: late delivery"
#: The shop's warehouse reports replacements it has shipped.
WAREHOUSE = Actor("system", "warehouse")


def refund(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """Staff pay back what the quote says: to the card by hand (no payment provider in the
    demo), or as store credit. Goodwill refunds waive the fees; units all turned down at
    inspection are not paid back."""
    if not any(refund_basis(ret, line) for line in ret.lines):
        return ret
    as_credit = ret.resolution is Resolution.STORE_CREDIT
    amount, reason = None, ""
    if plan.goodwill and not as_credit:
        amount, reason = _without_fees(stage, ret), GOODWILL_REASON
    instruction = RefundInstruction(
        method=RefundMethod.STORE_CREDIT if as_credit else RefundMethod.MANUAL,
        amount=amount,
        reason=reason,
        reference="" if as_credit else psp_reference(stage.rng, at),
        idempotency_key=f"demo-refund-{ret.number}",
    )
    open_refund(
        stage.uow, stage.store_id, saved_id(ret), instruction, stage.staff, at, NO_PROVIDERS
    )
    return ret


def sell_out(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """The chosen size sold out before staff got to the return: the count goes to zero."""
    replacement = _replacement(stage, ret)
    if replacement is None:
        return ret
    for line in replacement.lines:
        with stage.uow:
            units = sellable_units(stage.uow, line.variant_id, replacement.location_id)
        if units:
            adjust_stock(
                stage.uow,
                stage.store_id,
                sku=line.sku,
                quantity=-units,
                actor=stage.staff,
                now=at,
                note="stock count: sold out",
            )
    return ret


def release(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """The shopper paid the difference for a dearer piece: staff release the exchange."""
    replacement = _replacement(stage, ret)
    if replacement is not None and replacement.status == ReplacementStatus.PENDING.value:
        release_exchange(
            stage.uow,
            stage.store_id,
            replacement.id,
            stage.staff,
            at,
            balance_paid_reference=psp_reference(stage.rng, at),
        )
    return ret


def dispatch(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """The warehouse ships the released exchange and reports its tracking number."""
    replacement = _replacement(stage, ret)
    if replacement is not None and replacement.status == ReplacementStatus.RELEASED.value:
        tracking = f"6A{stage.rng.randrange(10**10, 10**11)}"
        ship_exchange(stage.uow, stage.store_id, replacement.id, WAREHOUSE, at, tracking)
    return ret


def _without_fees(stage: Stage, ret: Return) -> int | None:
    """The refundable amount before fees (None, the quote's, if the payments cap it)."""
    quote = quote_return_refund(stage.uow, stage.store_id, saved_id(ret))
    return None if quote.capped_by_payments else quote.refundable


def _replacement(stage: Stage, ret: Return) -> ReplacementOrderRow | None:
    with stage.uow:
        return active_replacement(stage.uow, ret)
