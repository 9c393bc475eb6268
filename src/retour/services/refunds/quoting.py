"""The refund quote of a return: the one calculation the API, portal and back office show."""

from __future__ import annotations

from dataclasses import replace

from retour.db.repositories.refunds import OrderMoney, ReturnRefunds
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import MERCHANT_SHIPPING_METHODS
from retour.domain.policy_override import TermsOverride, override_of
from retour.domain.refund_basis import units_to_refund
from retour.domain.refund_quote import FeeSettings, QuoteRequest, RefundQuote, quote_refund
from retour.domain.returns import Return
from retour.services.errors import NotFound


def build_quote(uow: UnitOfWork, ret: Return) -> RefundQuote:
    """Quote `ret` as it stands, against every earlier refund of its order."""
    return quote_with_money(uow, ret, uow.refunds.order_money(ret.order_id))


def quote_with_money(
    uow: UnitOfWork, ret: Return, money: OrderMoney, settled: ReturnRefunds | None = None
) -> RefundQuote:
    """The quote, from the order's money and (when the caller has it) what the return's
    earlier refunds settled."""
    assert ret.id is not None
    if settled is None:
        settled = uow.refunds.return_refunds(ret.id)
    fees = decided_fee_settings(ret)
    if fees is None:
        fees, merchant_fault = uow.stores.fees_and_merchant_fault_codes(ret.store_id)
    else:
        merchant_fault = uow.stores.merchant_fault_reason_codes(ret.store_id)
    override = override_of(ret.policy_decision) or TermsOverride()
    if override.refund_original_shipping:
        fees = replace(fees, refund_original_shipping=True)
    request = QuoteRequest(
        currency=money.currency,
        order_lines=money.lines,
        units=units_to_refund(ret, settled.units_by_return_line, merchant_fault),
        return_has_merchant_fault=any(
            line.reason_code in merchant_fault for line in ret.lines if not line.is_unexpected
        ),
        fees=fees,
        shipping_paid=money.shipping_paid,
        refunded=money.refunded_lines,
        shipping_refunded=money.shipping_refunded,
        uses_merchant_shipping=ret.return_method in MERCHANT_SHIPPING_METHODS,
        fixed_fees_charged=settled.fixed_fees_charged,
        bonus_already_given=settled.bonus_given,
        payments_remaining=money.payments_remaining,
        waived_by_staff=override.waived_fees,
    )
    return quote_refund(request)


def decided_fee_settings(ret: Return) -> FeeSettings | None:
    """The fees and bonus of the policy the return was decided under (kept with it when it
    was requested); None: the store's money settings apply."""
    evaluation = (ret.policy_decision or {}).get("evaluation") or {}
    decided = (evaluation.get("fees") or {}).get("settings")
    return FeeSettings(**decided) if decided else None


def quote_return_refund(uow: UnitOfWork, store_id: int, return_id: int) -> RefundQuote:
    with uow:
        ret = uow.returns.view(store_id, return_id)
        if ret is None:
            raise NotFound("return", return_id)
        return build_quote(uow, ret)
