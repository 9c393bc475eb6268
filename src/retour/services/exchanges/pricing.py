"""What an exchange is worth and costs now: the return's exchange value against the items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from retour.db.models import ReplacementOrderRow
from retour.db.repositories.refunds import OrderMoney
from retour.db.unit_of_work import UnitOfWork
from retour.domain.exchanges import ChosenItem, ExchangeKind, ExchangePricing, price_exchange
from retour.domain.refund_quote import QuoteMethod, RefundQuote
from retour.domain.returns import Return
from retour.services.refunds.quoting import quote_with_money


@dataclass(frozen=True)
class Valuation:
    quote: RefundQuote
    money: OrderMoney
    pricing: ExchangePricing
    #: Original shipping counted in the credit (none for replacements, which re-ship).
    shipping: int
    fees_charged: int
    #: A once-per-return fee is among them (later refunds of the return must not charge it).
    charges_fixed_fees: bool


def value_exchange(
    uow: UnitOfWork, ret: Return, kind: ExchangeKind, items: Sequence[ChosenItem]
) -> Valuation:
    """Price `items` against the return as it stands now (units approved, received, …)."""
    money = uow.refunds.order_money(ret.order_id)
    return value_against_quote(quote_with_money(uow, ret, money), money, kind, items)


def value_against_quote(
    quote: RefundQuote, money: OrderMoney, kind: ExchangeKind, items: Sequence[ChosenItem]
) -> Valuation:
    """Price `items` against a refund quote: a return's, or the portal's for one not yet made."""
    worth = quote.method(QuoteMethod.EXCHANGE)
    shipping = 0 if kind is ExchangeKind.REPLACEMENT else quote.shipping_amount
    list_prices = {line.order_line_id: line.unit_price for line in money.lines}
    pricing = price_exchange(
        kind,
        items,
        credit=worth.paid_amount - (quote.shipping_amount - shipping),
        returned_paid=quote.items_amount + quote.tax_amount,
        returned_list=sum(line.units * list_prices[line.order_line_id] for line in quote.lines),
    )
    return Valuation(quote, money, pricing, shipping, worth.fees_charged, worth.charges_fixed_fees)


def revalue(uow: UnitOfWork, replacement: ReplacementOrderRow, ret: Return) -> Valuation:
    """Re-price a chosen replacement and keep its amounts up to date."""
    items = [
        ChosenItem(line.variant_id, 0, line.sku, line.title, line.quantity, line.unit_price)
        for line in replacement.lines
    ]
    kind = ExchangeKind(replacement.kind)
    valuation = value_exchange(uow, ret, kind, items)
    if not valuation.quote.lines and kind is not ExchangeKind.REPLACEMENT:
        # Nothing earns credit any more (all wrong or rejected): keep the price as chosen.
        pricing = ExchangePricing(replacement.items_amount, valuation.pricing.credit_amount)
        valuation = replace(valuation, pricing=pricing)
    replacement.items_amount = valuation.pricing.items_amount
    replacement.credit_amount = valuation.pricing.credit_amount
    replacement.balance_due = valuation.pricing.balance_due
    return valuation
