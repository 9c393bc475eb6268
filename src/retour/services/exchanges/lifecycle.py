"""A replacement order's way out: released to the shop (settling the return), shipped, or
cancelled. Releasing records the returned units as paid back in goods, so they can never be
refunded as well; any value left over goes back as store credit or a refund."""

from __future__ import annotations

from datetime import datetime

from retour.db.models import RefundAllocationRow, RefundLineRow, RefundRow, ReplacementOrderRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.exchanges import ReplacementStatus
from retour.domain.returns import Return
from retour.domain.tender import split_refund
from retour.services.context import Actor
from retour.services.exchanges.pricing import revalue
from retour.services.exchanges.records import (
    cancel_replacement,
    exchange_payload,
    get_replacement,
    move_to,
    record_exchange_event,
)
from retour.services.exchanges.stock import ship_stock
from retour.services.refunds.presenting import quote_payload, record_refund_event
from retour.services.refunds.status import refresh_refund_status
from retour.services.returns.common import load_return
from retour.services.store_credit.issuing import credit_for_return

#: The refund method recorded for units paid back in goods.
EXCHANGE_METHOD = "exchange"


def release_exchange(
    uow: UnitOfWork,
    store_id: int,
    replacement_id: int,
    actor: Actor,
    now: datetime,
    balance_paid_reference: str = "",
) -> ReplacementOrderRow:
    """Hand the replacement to the shop or WMS to fulfil (an advance exchange, or after
    receipt when the shopper owed a balance and has paid it)."""
    with uow:
        replacement = get_replacement(uow, store_id, replacement_id)
        ret = load_return(uow, store_id, replacement.return_id)
        replacement = get_replacement(uow, store_id, replacement_id)
        release_replacement(uow, replacement, ret, actor, now, balance_paid_reference)
        uow.commit()
    return replacement


def ship_exchange(
    uow: UnitOfWork,
    store_id: int,
    replacement_id: int,
    actor: Actor,
    now: datetime,
    tracking_number: str = "",
) -> ReplacementOrderRow:
    """The shop or WMS shipped it: the reserved units leave stock."""
    with uow:
        replacement = get_replacement(uow, store_id, replacement_id)
        ret = load_return(uow, store_id, replacement.return_id)
        replacement = get_replacement(uow, store_id, replacement_id)
        move_to(replacement, ReplacementStatus.SHIPPED, now)
        replacement.tracking_number = tracking_number.strip()
        ship_stock(uow, replacement, now)
        payload = {**exchange_payload(replacement), "tracking_number": replacement.tracking_number}
        record_exchange_event(uow, ret, "exchange.shipped", payload, actor, now)
        uow.commit()
    return replacement


def cancel_exchange(
    uow: UnitOfWork, store_id: int, replacement_id: int, actor: Actor, now: datetime, reason: str
) -> ReplacementOrderRow:
    with uow:
        replacement = get_replacement(uow, store_id, replacement_id)
        ret = load_return(uow, store_id, replacement.return_id)
        replacement = get_replacement(uow, store_id, replacement_id)
        cancel_replacement(uow, replacement, ret, actor, now, reason.strip() or "cancelled")
        uow.commit()
    return replacement


def release_replacement(
    uow: UnitOfWork,
    replacement: ReplacementOrderRow,
    ret: Return,
    actor: Actor,
    now: datetime,
    balance_paid_reference: str = "",
) -> None:
    """Release and settle, in the caller's transaction."""
    move_to(replacement, ReplacementStatus.RELEASED, now)
    valuation = revalue(uow, replacement, ret)
    quote, money, pricing = valuation.quote, valuation.money, valuation.pricing
    credit, shipping = pricing.credit_amount, valuation.shipping
    if pricing.balance_due > 0 and not balance_paid_reference.strip():
        raise InvalidRequest(
            f"the shopper owes {pricing.balance_due} {replacement.currency} for the "
            "replacement; record their payment reference to release it",
            field="balance_paid_reference",
            balance_due=pricing.balance_due,
        )
    replacement.balance_paid_reference = balance_paid_reference.strip()
    store = uow.stores.get(ret.store_id)
    assert store is not None
    leftover_as_refund = pricing.leftover > 0 and store.exchange_fallback == "refund"
    refund = RefundRow(
        store_id=ret.store_id,
        return_id=ret.id,
        order_id=ret.order_id,
        method=EXCHANGE_METHOD,
        provider="payment_provider" if leftover_as_refund else EXCHANGE_METHOD,
        status="pending" if leftover_as_refund else "succeeded",
        currency=quote.currency,
        amount=credit,
        paid_amount=credit,
        bonus_amount=0,
        items_amount=quote.items_amount,
        tax_amount=quote.tax_amount,
        shipping_amount=shipping,
        fees_amount=valuation.fees_charged,
        fixed_fees_charged=valuation.charges_fixed_fees,
        breakdown={
            **quote_payload(quote),
            "method": EXCHANGE_METHOD,
            "exchange_id": replacement.id,
            "credit_used": pricing.credit_used,
            "leftover": pricing.leftover,
            "leftover_to": store.exchange_fallback if pricing.leftover else None,
        },
        adjustment_reason="",
        idempotency_key=f"retour-exchange-{replacement.id}",
        provider_reference="",
        failure_message="",
        attempts=0,
        actor=str(actor),
        created_at=now,
        updated_at=now,
        succeeded_at=None if leftover_as_refund else now,
        lines=[
            RefundLineRow(
                store_id=ret.store_id,
                return_line_id=line.return_line_id,
                order_line_id=line.order_line_id,
                units=line.units,
                items_amount=line.items_amount,
                tax_amount=line.tax_amount,
            )
            for line in quote.lines
        ],
    )
    if leftover_as_refund:
        refund.allocations = [
            RefundAllocationRow(
                store_id=ret.store_id,
                payment_id=part.payment_id,
                amount=part.amount,
                status="pending",
                provider_reference="",
                failure_message="",
                key_generation=1,
            )
            for part in split_refund(pricing.leftover, money.payments)
        ]
    uow.refunds.add(refund)
    replacement.refund_id = refund.id
    if pricing.leftover > 0 and not leftover_as_refund:
        reason = f"exchange for return {ret.number} cost less than the return"
        credit_for_return(uow, ret, refund, pricing.leftover, reason, actor, now)
    record_exchange_event(uow, ret, "exchange.released", exchange_payload(replacement), actor, now)
    record_refund_event(uow, refund, actor, now)
    ret.refund_status = refresh_refund_status(uow, ret)
