"""Worked examples of the refund calculator and split tender, computed by hand."""

from __future__ import annotations

import pytest

from retour.domain.errors import QuantityExceeded
from retour.domain.refund_quote import (
    Fee,
    FeeCode,
    FeeSettings,
    PaidLine,
    QuoteMethod,
    QuoteRequest,
    RefundedSoFar,
    UnitsToRefund,
    quote_refund,
    unit_share,
)
from retour.domain.tender import PaymentBalance, TenderPart, split_refund

SHIRTS = PaidLine(order_line_id=1, quantity=2, unit_price=4900, tax=1960)
TROUSERS = PaidLine(order_line_id=2, quantity=1, unit_price=4900, tax=980)
STORE_FEES = FeeSettings(
    restocking_fee_bp=1000,
    restocking_fee_fixed=200,
    return_shipping_fee=500,
    store_credit_bonus_bp=500,
    waive_fees_for_store_credit=True,
)


def one_shirt(fees: FeeSettings = FeeSettings(), **options) -> QuoteRequest:
    merchant_fault = options.pop("merchant_fault", False)
    return QuoteRequest(
        currency="EUR",
        order_lines=[SHIRTS, TROUSERS],
        units=[UnitsToRefund(10, 1, 1, is_merchant_fault=merchant_fault)],
        fees=fees,
        shipping_paid=495,
        **options,
    )


def test_a_unit_is_worth_its_price_and_tax_and_nothing_else_without_fees():
    quote = quote_refund(one_shirt())

    assert [(line.units, line.items_amount, line.tax_amount) for line in quote.lines] == [
        (1, 4900, 980)
    ]
    assert quote.shipping_amount == 0
    assert quote.refundable == 5880
    assert {method: quote.method(method).total for method in QuoteMethod} == {
        QuoteMethod.ORIGINAL_PAYMENT: 5880,
        QuoteMethod.STORE_CREDIT: 5880,
        QuoteMethod.EXCHANGE: 5880,
    }


def test_discounts_and_odd_minor_units_spread_over_units_earliest_first():
    # 3 × 10.00 − 1.00 line discount − 0.01 order discount = 28.99 over 3 units: 9.67, 9.66, 9.66
    line = PaidLine(7, quantity=3, unit_price=1000, line_discount=100, order_discount=1, tax=580)
    first = quote_refund(
        QuoteRequest("EUR", [line], [UnitsToRefund(1, 7, 1)], FeeSettings())
    ).lines[0]
    rest = quote_refund(
        QuoteRequest(
            "EUR",
            [line],
            [UnitsToRefund(2, 7, 2)],
            FeeSettings(),
            refunded={7: RefundedSoFar(units=1, items_amount=967, tax_amount=194)},
        )
    ).lines[0]

    assert (first.items_amount, first.tax_amount) == (967, 194)
    assert (rest.units, rest.items_amount, rest.tax_amount) == (2, 1932, 386)
    assert first.items_amount + rest.items_amount == line.items_amount == 2899


def test_fees_come_off_the_refund_and_store_credit_waives_them_and_adds_its_bonus():
    quote = quote_refund(one_shirt(STORE_FEES, uses_merchant_shipping=True))

    refund = quote.method(QuoteMethod.ORIGINAL_PAYMENT)
    assert refund.fees == (
        Fee(FeeCode.RESTOCKING, 490),
        Fee(FeeCode.RESTOCKING_FIXED, 200),
        Fee(FeeCode.RETURN_SHIPPING, 500),
    )
    assert (refund.fees_charged, refund.paid_amount, refund.bonus, refund.total) == (
        1190,
        4690,
        0,
        4690,
    )
    credit = quote.method(QuoteMethod.STORE_CREDIT)
    assert (credit.fees_charged, credit.paid_amount, credit.bonus, credit.total) == (
        0,
        5880,
        294,
        6174,
    )
    assert quote.method(QuoteMethod.EXCHANGE).total == 5880


def test_merchant_fault_waives_fees_and_refunds_the_original_shipping():
    quote = quote_refund(one_shirt(STORE_FEES, uses_merchant_shipping=True, merchant_fault=True))

    refund = quote.method(QuoteMethod.ORIGINAL_PAYMENT)
    assert quote.shipping_amount == 495
    assert refund.fees == (
        Fee(FeeCode.RETURN_SHIPPING, 500, waived=True, note="merchant-fault reason"),
    )
    assert (refund.fees_charged, refund.total) == (0, 6375)


def test_shipping_is_refunded_once_even_over_several_refunds():
    fees = FeeSettings(refund_original_shipping=True)

    assert quote_refund(one_shirt(fees)).shipping_amount == 495
    assert quote_refund(one_shirt(fees, shipping_refunded=495)).shipping_amount == 0


def test_fixed_fees_are_charged_once_per_return():
    later = quote_refund(
        one_shirt(STORE_FEES, uses_merchant_shipping=True, fixed_fees_charged=True)
    )

    assert later.method(QuoteMethod.ORIGINAL_PAYMENT).fees == (Fee(FeeCode.RESTOCKING, 490),)


def test_fees_never_take_more_than_the_refund():
    cheap = PaidLine(3, quantity=1, unit_price=100)
    quote = quote_refund(
        QuoteRequest(
            "EUR", [cheap], [UnitsToRefund(1, 3, 1)], FeeSettings(restocking_fee_fixed=500)
        )
    )

    refund = quote.method(QuoteMethod.ORIGINAL_PAYMENT)
    assert refund.fees == (
        Fee(FeeCode.RESTOCKING_FIXED, 100, note="reduced to what is left to charge"),
    )
    assert refund.paid_amount == 0


def test_the_bonus_is_capped_per_return_across_refunds():
    fees = FeeSettings(store_credit_bonus_bp=1000, store_credit_bonus_cap=100)

    assert quote_refund(one_shirt(fees)).method(QuoteMethod.STORE_CREDIT).bonus == 100
    again = quote_refund(one_shirt(fees, bonus_already_given=100))
    assert again.method(QuoteMethod.STORE_CREDIT).bonus == 0


def test_what_the_payments_still_hold_caps_the_refund():
    quote = quote_refund(one_shirt(payments_remaining=3000))

    assert quote.capped_by_payments is True
    assert quote.refundable == 3000
    assert [(line.items_amount, line.tax_amount) for line in quote.lines] == [(2500, 500)]


def test_units_beyond_the_line_or_already_refunded_are_not_quoted():
    quote = quote_refund(
        QuoteRequest(
            "EUR",
            [SHIRTS],
            [UnitsToRefund(10, 1, 5)],
            FeeSettings(),
            refunded={1: RefundedSoFar(units=1, items_amount=4900, tax_amount=980)},
        )
    )

    assert [(line.units, line.total) for line in quote.lines] == [(1, 5880)]


def test_zero_decimal_currencies_split_exactly_in_whole_units():
    # ¥3,000 × 3 less a ¥1,000 order discount = ¥8,000 over 3 units: 2,667 + 2,667 + 2,666.
    line = PaidLine(1, quantity=3, unit_price=3000, order_discount=1000)

    assert [unit_share(line.items_amount, 3, unit, 1) for unit in range(3)] == [2667, 2667, 2666]


def test_split_tender_pays_cards_before_gift_cards_each_up_to_what_is_left():
    payments = [
        PaymentBalance(payment_id=1, gateway="gift_card", captured=3000),
        PaymentBalance(payment_id=2, gateway="card", captured=5000, refunded=1000),
    ]

    assert split_refund(6000, payments) == [
        TenderPart(payment_id=2, gateway="card", amount=4000),
        TenderPart(payment_id=1, gateway="gift_card", amount=2000),
    ]
    with pytest.raises(QuantityExceeded) as refused:
        split_refund(7001, payments)
    assert refused.value.maximum == 7000
