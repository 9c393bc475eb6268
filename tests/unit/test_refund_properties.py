"""Properties of the refund calculator and of split tender, on random orders.

Orders have 1–12 lines in JPY, EUR or KWD (0, 2 and 3 decimals); the calculator works in minor
units, so the currency only changes the magnitudes drawn. Refunds come in one go or in several
steps, each step fed the results of the earlier ones the way the services do.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retour.domain.errors import QuantityExceeded
from retour.domain.money import currency_precision
from retour.domain.refund_quote import (
    FeeCode,
    FeeSettings,
    MethodTotal,
    PaidLine,
    QuoteMethod,
    QuoteRequest,
    RefundedSoFar,
    RefundQuote,
    UnitsToRefund,
    quote_refund,
    unit_share,
)
from retour.domain.tender import (
    STORED_VALUE_GATEWAYS,
    PaymentBalance,
    refund_order,
    split_refund,
)

CURRENCIES = ("JPY", "EUR", "KWD")
# Examples per test: drawing orders is what costs, so the file runs in about ten seconds.
ONE_REFUND = 80
REFUNDS_IN_A_ROW = 50
CHEAP = 200
FIXED_FEE_CODES = frozenset({FeeCode.RESTOCKING_FIXED, FeeCode.RETURN_SHIPPING, FeeCode.LABEL})
DIRECT_GATEWAYS = ("card", "paypal", "bank_transfer", "stripe")
# Gateway names come from order imports as written; "Gift_Card" is still a gift card.
STORED_VALUE_SPELLINGS = ("gift_card", "store_credit", "Gift_Card", "STORE_CREDIT")


# -- what is drawn ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    currency: str
    lines: tuple[PaidLine, ...]
    shipping_paid: int

    @property
    def minor_per_major(self) -> int:
        return 10 ** currency_precision(self.currency)

    @property
    def lines_paid(self) -> int:
        return sum(line_paid(line) for line in self.lines)


def line_paid(line: PaidLine) -> int:
    """What the shopper paid for the whole line: items after discounts, plus tax."""
    return line.items_amount + line.tax


def return_line_id(order_line_id: int, second: bool = False) -> int:
    """The return line an order line comes back on; a second one for a second reason."""
    return (2_000_000 if second else 1_000_000) + order_line_id


@st.composite
def paid_lines(draw: st.DrawFn, order_line_id: int, minor_per_major: int) -> PaidLine:
    quantity = draw(st.integers(min_value=1, max_value=10))
    unit_price = draw(st.integers(min_value=0, max_value=800 * minor_per_major))
    gross = quantity * unit_price
    line_discount = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=gross)))
    order_discount = draw(
        st.one_of(st.just(0), st.integers(min_value=0, max_value=gross - line_discount))
    )
    tax = draw(st.integers(min_value=0, max_value=gross // 4 + minor_per_major))
    return PaidLine(order_line_id, quantity, unit_price, line_discount, order_discount, tax)


@st.composite
def orders(draw: st.DrawFn) -> Order:
    currency = draw(st.sampled_from(CURRENCIES))
    minor_per_major = 10 ** currency_precision(currency)
    ids = draw(
        st.lists(st.integers(min_value=1, max_value=99_999), min_size=1, max_size=12, unique=True)
    )
    lines = tuple(draw(paid_lines(order_line_id, minor_per_major)) for order_line_id in ids)
    shipping = draw(st.one_of(st.just(0), st.integers(0, 40 * minor_per_major)))
    return Order(currency, lines, shipping)


def basis_points(maximum: int) -> st.SearchStrategy[int]:
    return st.one_of(st.just(0), st.integers(min_value=0, max_value=maximum))


def fixed_amounts(minor_per_major: int, major: int) -> st.SearchStrategy[int]:
    return st.one_of(st.just(0), st.integers(min_value=0, max_value=major * minor_per_major))


@st.composite
def fee_settings(draw: st.DrawFn, minor_per_major: int) -> FeeSettings:
    # Fees up to 100 % and fixed fees above small refunds, so "fees never exceed" is exercised.
    return FeeSettings(
        restocking_fee_bp=draw(basis_points(10_000)),
        restocking_fee_fixed=draw(fixed_amounts(minor_per_major, 60)),
        return_shipping_fee=draw(fixed_amounts(minor_per_major, 30)),
        label_cost=draw(fixed_amounts(minor_per_major, 30)),
        store_credit_bonus_bp=draw(basis_points(3_000)),
        store_credit_bonus_fixed=draw(fixed_amounts(minor_per_major, 20)),
        store_credit_bonus_cap=draw(st.none() | fixed_amounts(minor_per_major, 80)),
        waive_fees_for_store_credit=draw(st.booleans()),
        waive_fees_for_exchange=draw(st.booleans()),
        refund_original_shipping=draw(st.booleans()),
    )


def every_unit(order: Order, is_merchant_fault: bool = False) -> list[UnitsToRefund]:
    return [
        UnitsToRefund(
            return_line_id(line.order_line_id), line.order_line_id, line.quantity, is_merchant_fault
        )
        for line in order.lines
    ]


@st.composite
def refund_steps(draw: st.DrawFn, order: Order) -> list[list[UnitsToRefund]]:
    """Every unit of the order, spread over 1–5 refunds; empty refunds are left out.

    An order line may come back on two return lines (say one damaged, one unwanted), which can
    then meet in the same refund.
    """
    step_count = draw(st.integers(min_value=1, max_value=5))
    steps: list[list[UnitsToRefund]] = [[] for _ in range(step_count)]
    for line in order.lines:
        step_and_return_line = draw(
            st.lists(
                st.tuples(st.integers(min_value=0, max_value=step_count - 1), st.booleans()),
                min_size=line.quantity,
                max_size=line.quantity,
            )
        )
        fault_of_return_line = {second: draw(st.booleans()) for second in (False, True)}
        for step, second in sorted(set(step_and_return_line)):
            steps[step].append(
                UnitsToRefund(
                    return_line_id(line.order_line_id, second),
                    line.order_line_id,
                    step_and_return_line.count((step, second)),
                    is_merchant_fault=fault_of_return_line[second],
                )
            )
    return [draw(st.permutations(step)) for step in steps if step]


@st.composite
def quote_requests(draw: st.DrawFn) -> QuoteRequest:
    """One refund on an order that earlier refunds may already have touched.

    Earlier refunds took whole units at their unit shares, or (as after a refund capped by the
    payments left) any amount up to what the line was paid.
    """
    order = draw(orders())
    fees = draw(fee_settings(order.minor_per_major))
    refunded: dict[int, RefundedSoFar] = {}
    units: list[UnitsToRefund] = []
    for line in order.lines:
        earlier = draw(st.integers(min_value=0, max_value=line.quantity))
        if earlier and draw(st.booleans()):
            refunded[line.order_line_id] = RefundedSoFar(
                earlier,
                unit_share(line.items_amount, line.quantity, 0, earlier),
                unit_share(line.tax, line.quantity, 0, earlier),
            )
        elif earlier:
            refunded[line.order_line_id] = RefundedSoFar(
                earlier,
                draw(st.integers(min_value=0, max_value=line.items_amount)),
                draw(st.integers(min_value=0, max_value=line.tax)),
            )
        if draw(st.booleans()):
            # May ask for more units than are left: the calculator takes what is left.
            wanted = draw(st.integers(min_value=1, max_value=line.quantity + 2))
            units.append(
                UnitsToRefund(
                    return_line_id(line.order_line_id),
                    line.order_line_id,
                    wanted,
                    is_merchant_fault=draw(st.booleans()),
                )
            )
    cap = fees.store_credit_bonus_cap
    return QuoteRequest(
        currency=order.currency,
        order_lines=order.lines,
        units=draw(st.permutations(units)),
        fees=fees,
        shipping_paid=order.shipping_paid,
        refunded=refunded,
        shipping_refunded=draw(st.integers(min_value=0, max_value=order.shipping_paid)),
        uses_merchant_shipping=draw(st.booleans()),
        fixed_fees_charged=draw(st.booleans()),
        bonus_already_given=draw(st.integers(min_value=0, max_value=cap if cap else 0)),
        payments_remaining=draw(
            st.none() | st.integers(min_value=0, max_value=order.lines_paid + order.shipping_paid)
        ),
    )


# -- several refunds in a row ----------------------------------------------------------------


@dataclass
class RefundHistory:
    """What the refunds of one return gave so far, fed into the next request."""

    refunded: dict[int, RefundedSoFar] = field(default_factory=dict)
    shipping_refunded: int = 0
    fixed_fees_charged: bool = False
    bonus_given: int = 0
    paid_out: int = 0
    quotes: list[RefundQuote] = field(default_factory=list)

    def record(self, quote: RefundQuote, chosen: MethodTotal) -> None:
        for line in quote.lines:
            before = self.refunded.get(line.order_line_id, RefundedSoFar())
            self.refunded[line.order_line_id] = RefundedSoFar(
                before.units + line.units,
                before.items_amount + line.items_amount,
                before.tax_amount + line.tax_amount,
            )
        self.shipping_refunded += quote.shipping_amount
        self.fixed_fees_charged = self.fixed_fees_charged or any(
            fee.code in FIXED_FEE_CODES and not fee.waived for fee in chosen.fees
        )
        self.bonus_given += chosen.bonus
        self.paid_out += chosen.paid_amount
        self.quotes.append(quote)

    def refunded_on_line(self, order_line_id: int) -> int:
        so_far = self.refunded.get(order_line_id, RefundedSoFar())
        return so_far.items_amount + so_far.tax_amount


def refund_in_steps(
    order: Order,
    fees: FeeSettings,
    steps: Sequence[Sequence[UnitsToRefund]],
    method: QuoteMethod = QuoteMethod.ORIGINAL_PAYMENT,
    captured: int | None = None,
    uses_merchant_shipping: bool = False,
) -> RefundHistory:
    history = RefundHistory()
    for units in steps:
        request = QuoteRequest(
            currency=order.currency,
            order_lines=order.lines,
            units=units,
            fees=fees,
            shipping_paid=order.shipping_paid,
            refunded=dict(history.refunded),
            shipping_refunded=history.shipping_refunded,
            uses_merchant_shipping=uses_merchant_shipping,
            fixed_fees_charged=history.fixed_fees_charged,
            bonus_already_given=history.bonus_given,
            payments_remaining=None if captured is None else captured - history.paid_out,
        )
        quote = quote_refund(request)
        if request.payments_remaining is not None:
            assert quote.refundable <= request.payments_remaining
        history.record(quote, quote.method(method))
    return history


def quote_amounts(quote: RefundQuote) -> list[object]:
    amounts: list[object] = [quote.shipping_amount, quote.refundable]
    for line in quote.lines:
        amounts += [line.units, line.items_amount, line.tax_amount]
    for total in quote.methods.values():
        amounts += [total.bonus, total.paid_amount, total.fees_charged, total.total]
        amounts += [fee.amount for fee in total.fees]
    return amounts


# -- 1. exact in minor units -----------------------------------------------------------------


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_every_amount_is_whole_minor_units_and_the_totals_add_up(request):
    quote = quote_refund(request)

    assert all(type(amount) is int for amount in quote_amounts(quote))
    assert quote.refundable == quote.items_amount + quote.tax_amount + quote.shipping_amount
    assert set(quote.methods) == set(QuoteMethod)
    for method, total in quote.methods.items():
        assert total.method is method
        assert total.paid_amount == quote.refundable - total.fees_charged
        assert total.total == total.paid_amount + total.bonus


# -- 2. parts add up -------------------------------------------------------------------------


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_refunding_every_unit_at_once_gives_back_each_line_as_paid(data):
    order = data.draw(orders())
    fees = data.draw(fee_settings(order.minor_per_major))

    quote = quote_refund(
        QuoteRequest(order.currency, order.lines, every_unit(order), fees, order.shipping_paid)
    )

    assert [(line.order_line_id, line.units, line.total) for line in quote.lines] == [
        (line.order_line_id, line.quantity, line_paid(line)) for line in order.lines
    ]
    assert [(line.items_amount, line.tax_amount) for line in quote.lines] == [
        (line.items_amount, line.tax) for line in order.lines
    ]
    expected_shipping = order.shipping_paid if fees.refund_original_shipping else 0
    assert quote.shipping_amount == expected_shipping
    assert quote.refundable == order.lines_paid + expected_shipping


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_several_refunds_in_a_row_add_up_to_each_line_as_paid(data):
    order = data.draw(orders())
    fees = data.draw(fee_settings(order.minor_per_major))
    steps = data.draw(refund_steps(order))

    history = refund_in_steps(order, fees, steps)

    assert {
        line_id: (so_far.units, so_far.items_amount, so_far.tax_amount)
        for line_id, so_far in history.refunded.items()
    } == {line.order_line_id: (line.quantity, line.items_amount, line.tax) for line in order.lines}
    # Each step gives exactly the largest-remainder share of the units it takes back.
    units_before: dict[int, int] = {}
    paid_lines_by_id = {line.order_line_id: line for line in order.lines}
    for quote in history.quotes:
        for quote_line in quote.lines:
            paid = paid_lines_by_id[quote_line.order_line_id]
            first = units_before.get(paid.order_line_id, 0)
            assert quote_line.items_amount == unit_share(
                paid.items_amount, paid.quantity, first, quote_line.units
            )
            assert quote_line.tax_amount == unit_share(
                paid.tax, paid.quantity, first, quote_line.units
            )
            units_before[paid.order_line_id] = first + quote_line.units
    any_fault = any(units.is_merchant_fault for step in steps for units in step)
    shipping_due = fees.refund_original_shipping or any_fault
    shipping_per_step = [quote.shipping_amount for quote in history.quotes]
    assert sum(shipping_per_step) == (order.shipping_paid if shipping_due else 0)
    assert sum(1 for amount in shipping_per_step if amount > 0) <= 1


# -- 3. never more than paid -----------------------------------------------------------------


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_several_refunds_never_give_back_more_than_was_paid(data):
    order = data.draw(orders())
    fees = data.draw(fee_settings(order.minor_per_major))
    steps = data.draw(refund_steps(order))
    method = data.draw(st.sampled_from(QuoteMethod))
    total_paid = order.lines_paid + order.shipping_paid
    captured = data.draw(st.none() | st.integers(min_value=0, max_value=total_paid))

    history = refund_in_steps(order, fees, steps, method=method, captured=captured)

    assert sum(quote.refundable for quote in history.quotes) <= total_paid
    assert all(
        history.refunded_on_line(line.order_line_id) <= line_paid(line) for line in order.lines
    )
    assert history.shipping_refunded <= order.shipping_paid
    if captured is not None:
        assert history.paid_out <= captured


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_the_payments_left_cap_paid_money_and_the_quote_says_so(request):
    uncapped = quote_refund(replace(request, payments_remaining=None))

    quote = quote_refund(request)

    if request.payments_remaining is None:
        assert quote == uncapped
        assert quote.capped_by_payments is False
        return
    must_cap = uncapped.refundable > request.payments_remaining
    assert quote.capped_by_payments is must_cap
    assert quote.refundable <= request.payments_remaining
    if must_cap:
        assert quote.refundable == request.payments_remaining
        assert [line.units for line in quote.lines] == [line.units for line in uncapped.lines]
        assert all(
            capped.items_amount <= full.items_amount and capped.tax_amount <= full.tax_amount
            for capped, full in zip(quote.lines, uncapped.lines, strict=True)
        )
        assert quote.shipping_amount <= uncapped.shipping_amount
    else:
        assert quote == uncapped


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_one_refund_takes_only_the_units_and_money_left_on_each_line(request):
    quote = quote_refund(request)

    earlier = {line.order_line_id: RefundedSoFar() for line in request.order_lines}
    earlier.update(request.refunded)
    quantities = {line.order_line_id: line.quantity for line in request.order_lines}
    units_left = {
        units.order_line_id: min(
            units.units, quantities[units.order_line_id] - earlier[units.order_line_id].units
        )
        for units in request.units
    }
    assert {line.order_line_id: line.units for line in quote.lines} == {
        line_id: units for line_id, units in units_left.items() if units > 0
    }
    for paid in request.order_lines:
        so_far = earlier[paid.order_line_id]
        money_left = line_paid(paid) - so_far.items_amount - so_far.tax_amount
        assert sum(
            line.total for line in quote.lines if line.order_line_id == paid.order_line_id
        ) <= max(money_left, 0)
    assert quote.shipping_amount <= request.shipping_paid - request.shipping_refunded


# -- 4. never negative -----------------------------------------------------------------------


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_no_amount_is_ever_negative_and_fees_never_exceed_the_refund(request):
    quote = quote_refund(request)

    assert all(line.items_amount >= 0 and line.tax_amount >= 0 for line in quote.lines)
    assert quote.shipping_amount >= 0
    for total in quote.methods.values():
        assert all(fee.amount >= 0 for fee in total.fees)
        assert total.bonus >= 0
        assert total.paid_amount >= 0
        assert 0 <= total.fees_charged <= quote.refundable


# -- 5. merchant-fault and method waivers ----------------------------------------------------


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_a_return_all_at_merchant_fault_costs_no_fee_and_refunds_the_shipping(data):
    order = data.draw(orders())
    fees = data.draw(fee_settings(order.minor_per_major))

    quote = quote_refund(
        QuoteRequest(
            order.currency,
            order.lines,
            every_unit(order, is_merchant_fault=True),
            fees,
            order.shipping_paid,
            uses_merchant_shipping=data.draw(st.booleans()),
        )
    )

    assert quote.shipping_amount == order.shipping_paid
    assert quote.refundable == order.lines_paid + order.shipping_paid
    for total in quote.methods.values():
        assert total.fees_charged == 0
        assert total.paid_amount == quote.refundable


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_several_refunds_all_at_merchant_fault_cost_no_fee(data):
    order = data.draw(orders())
    fees = data.draw(fee_settings(order.minor_per_major))
    steps = [
        [replace(units, is_merchant_fault=True) for units in step]
        for step in data.draw(refund_steps(order))
    ]

    history = refund_in_steps(order, fees, steps, uses_merchant_shipping=data.draw(st.booleans()))

    assert all(
        total.fees_charged == 0 and total.paid_amount == quote.refundable
        for quote in history.quotes
        for total in quote.methods.values()
    )
    assert history.shipping_refunded == order.shipping_paid


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_a_method_waiver_zeroes_that_methods_fees_only(request):
    waived = replace(request.fees, waive_fees_for_store_credit=True, waive_fees_for_exchange=True)
    not_waived = replace(
        request.fees, waive_fees_for_store_credit=False, waive_fees_for_exchange=False
    )

    with_waivers = quote_refund(replace(request, fees=waived))
    without_waivers = quote_refund(replace(request, fees=not_waived))

    for method in (QuoteMethod.STORE_CREDIT, QuoteMethod.EXCHANGE):
        assert with_waivers.method(method).fees_charged == 0
        assert with_waivers.method(method).paid_amount == with_waivers.refundable
        assert without_waivers.method(method).fees_charged == (
            without_waivers.method(QuoteMethod.ORIGINAL_PAYMENT).fees_charged
        )
    assert with_waivers.method(QuoteMethod.ORIGINAL_PAYMENT) == without_waivers.method(
        QuoteMethod.ORIGINAL_PAYMENT
    )


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_fixed_fees_are_charged_at_most_once_per_return(data):
    order = data.draw(orders())
    fees = data.draw(fee_settings(order.minor_per_major))
    steps = data.draw(refund_steps(order))

    history = refund_in_steps(order, fees, steps, uses_merchant_shipping=True)

    charged = [
        fee
        for quote in history.quotes
        for fee in quote.method(QuoteMethod.ORIGINAL_PAYMENT).fees
        if fee.code in FIXED_FEE_CODES and not fee.waived
    ]
    assert len({fee.code for fee in charged}) == len(charged)
    limits = {
        FeeCode.RESTOCKING_FIXED: fees.restocking_fee_fixed,
        FeeCode.RETURN_SHIPPING: fees.return_shipping_fee,
        FeeCode.LABEL: fees.label_cost,
    }
    assert all(0 < fee.amount <= limits[fee.code] for fee in charged)


# -- 6. store-credit bonus -------------------------------------------------------------------


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_only_store_credit_gets_a_bonus_and_never_above_the_cap_left(request):
    quote = quote_refund(request)

    assert quote.method(QuoteMethod.ORIGINAL_PAYMENT).bonus == 0
    assert quote.method(QuoteMethod.EXCHANGE).bonus == 0
    cap = request.fees.store_credit_bonus_cap
    if cap is not None:
        assert quote.method(QuoteMethod.STORE_CREDIT).bonus <= cap - request.bonus_already_given


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_the_bonus_of_several_store_credit_refunds_stays_within_the_cap(data):
    order = data.draw(orders())
    cap = data.draw(st.integers(min_value=0, max_value=80 * order.minor_per_major))
    fees = replace(data.draw(fee_settings(order.minor_per_major)), store_credit_bonus_cap=cap)
    steps = data.draw(refund_steps(order))

    history = refund_in_steps(order, fees, steps, method=QuoteMethod.STORE_CREDIT)

    assert history.bonus_given <= cap


@settings(max_examples=REFUNDS_IN_A_ROW)
@given(st.data())
def test_the_fixed_bonus_is_given_once_per_return(data):
    order = data.draw(orders())
    fixed_bonus = data.draw(st.integers(min_value=1, max_value=20 * order.minor_per_major))
    fees = FeeSettings(store_credit_bonus_fixed=fixed_bonus)
    steps = data.draw(refund_steps(order))

    history = refund_in_steps(order, fees, steps, method=QuoteMethod.STORE_CREDIT)

    expected = fixed_bonus if order.lines_paid > 0 else 0
    assert history.bonus_given == expected


# -- 7. unit shares --------------------------------------------------------------------------


@st.composite
def consecutive_chunks(draw: st.DrawFn, quantity: int) -> list[tuple[int, int]]:
    """(first unit, units) chunks that cover units 0 … quantity - 1 in order."""
    cuts = draw(st.sets(st.integers(min_value=1, max_value=quantity))) - {quantity}
    bounds = [0, *sorted(cuts), quantity]
    return [(start, end - start) for start, end in itertools.pairwise(bounds)]


@settings(max_examples=CHEAP)
@given(st.data())
def test_unit_shares_of_consecutive_chunks_add_up_and_differ_by_at_most_one(data):
    amount = data.draw(st.integers(min_value=0, max_value=10**10))
    quantity = data.draw(st.integers(min_value=1, max_value=60))
    chunks = data.draw(consecutive_chunks(quantity))

    chunk_shares = [unit_share(amount, quantity, first, units) for first, units in chunks]
    unit_shares = [unit_share(amount, quantity, unit, 1) for unit in range(quantity)]

    assert sum(chunk_shares) == amount
    assert sum(unit_shares) == amount
    assert max(unit_shares) - min(unit_shares) <= 1
    # Earlier units take the odd minor units.
    assert unit_shares == sorted(unit_shares, reverse=True)
    assert chunk_shares == [sum(unit_shares[first : first + units]) for first, units in chunks]


def test_unit_share_gives_the_odd_minor_units_to_the_earliest_units():
    assert [unit_share(100, 3, unit, 1) for unit in range(3)] == [34, 33, 33]
    assert unit_share(100, 3, 1, 2) == 66
    assert unit_share(100, 3, 2, 5) == 33
    assert unit_share(100, 3, 0, 0) == 0


# -- 8. split tender -------------------------------------------------------------------------


@st.composite
def payment_balances(draw: st.DrawFn) -> list[PaymentBalance]:
    ids = draw(
        st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6, unique=True)
    )
    payments = []
    for payment_id in ids:
        captured = draw(st.integers(min_value=0, max_value=10**7))
        payments.append(
            PaymentBalance(
                payment_id=payment_id,
                gateway=draw(st.sampled_from(DIRECT_GATEWAYS + STORED_VALUE_SPELLINGS)),
                captured=captured,
                refunded=draw(st.integers(min_value=0, max_value=captured)),
            )
        )
    return payments


def is_stored_value(payment: PaymentBalance) -> bool:
    return payment.gateway.lower() in STORED_VALUE_GATEWAYS


@settings(max_examples=CHEAP)
@given(st.data())
def test_split_tender_fills_direct_payments_in_order_before_stored_value(data):
    payments = data.draw(payment_balances())
    total_remaining = sum(payment.remaining for payment in payments)
    amount = data.draw(st.integers(min_value=0, max_value=total_remaining))

    parts = split_refund(amount, payments)

    by_id = {payment.payment_id: payment for payment in payments}
    assert sum(part.amount for part in parts) == amount
    assert len({part.payment_id for part in parts}) == len(parts)
    assert all(0 < part.amount <= by_id[part.payment_id].remaining for part in parts)
    assert all(part.gateway == by_id[part.payment_id].gateway for part in parts)
    given_to = {part.payment_id: part.amount for part in parts}
    ordered = refund_order(payments)
    for position, payment in enumerate(ordered):
        if given_to.get(payment.payment_id, 0) > 0:
            # Every payment earlier in refund order is exhausted first.
            assert all(
                given_to.get(earlier.payment_id, 0) == earlier.remaining
                for earlier in ordered[:position]
            )
    if any(is_stored_value(by_id[payment_id]) for payment_id in given_to):
        assert all(
            given_to.get(payment.payment_id, 0) == payment.remaining
            for payment in payments
            if not is_stored_value(payment)
        )


@settings(max_examples=CHEAP)
@given(payment_balances())
def test_refund_order_puts_stored_value_last_and_keeps_the_order_taken(payments):
    ordered = refund_order(payments)

    direct = sorted(p.payment_id for p in payments if not is_stored_value(p))
    stored = sorted(p.payment_id for p in payments if is_stored_value(p))
    assert [payment.payment_id for payment in ordered] == direct + stored


@settings(max_examples=CHEAP)
@given(st.data())
def test_split_tender_refuses_more_than_the_payments_hold(data):
    payments = data.draw(payment_balances())
    total_remaining = sum(payment.remaining for payment in payments)
    amount = data.draw(
        st.integers(min_value=total_remaining + 1, max_value=total_remaining + 10**7)
    )

    with pytest.raises(QuantityExceeded) as refused:
        split_refund(amount, payments)

    assert refused.value.maximum == total_remaining
    assert refused.value.field == "amount"


# -- 9. determinism --------------------------------------------------------------------------


@settings(max_examples=ONE_REFUND)
@given(quote_requests())
def test_the_same_request_gives_an_equal_quote(request):
    assert quote_refund(request) == quote_refund(copy.deepcopy(request))
