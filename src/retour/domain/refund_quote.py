"""The refund calculator: what a return is worth, item by item, fee by fee, per method.

Pure arithmetic on integers in minor units. The rules (docs/refunds.md says them in words):

- A unit is worth what was actually paid for it: the line's price after its own discount and
  its share of order discounts, plus its tax. A line's amounts are spread over its units with
  the largest-remainder rule (earlier units take the odd minor units), so the units of a line
  always add up to the line, whatever order they come back in.
- Units already covered by earlier refunds are skipped; what is left of a line is never more
  than the line's paid amount minus what was refunded on it.
- The original shipping (what is left of it) is refunded when the store says so or when any
  line of the return is merchant-fault.
- Fees: a percentage restocking fee on the items (before tax) of units that are not
  merchant-fault; once per return, a fixed restocking fee when units that are not
  merchant-fault are worth something, and a return shipping fee and the label cost when the
  return travels on the merchant's label or code and no line of the return is
  merchant-fault. Store credit and exchanges may waive them, and staff may waive any of them
  on a return (its policy override). Fees never exceed the refund.
- A store-credit bonus (percentage of the units' paid value plus, once per return, a fixed
  amount; capped per return) is added to store credit only. It is not paid money and never
  counts against the limit.
- Paid money refunded never exceeds what the order's payments still hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from retour.domain.money import allocate


class RefundMethod(StrEnum):
    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    MANUAL = "manual"


class QuoteMethod(StrEnum):
    """What the shopper can get for a return: money back, credit, or other items."""

    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    EXCHANGE = "exchange"


class FeeCode(StrEnum):
    RESTOCKING = "restocking_fee"
    RESTOCKING_FIXED = "restocking_fee_fixed"
    RETURN_SHIPPING = "return_shipping_fee"
    LABEL = "label_cost"


#: Fees charged once per return: the first refund that charges one settles them all.
FIXED_FEES = frozenset({FeeCode.RESTOCKING_FIXED, FeeCode.RETURN_SHIPPING, FeeCode.LABEL})
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class PaidLine:
    """What the shopper paid for one order line (all its units)."""

    order_line_id: int
    quantity: int
    unit_price: int
    line_discount: int = 0
    order_discount: int = 0
    tax: int = 0

    @property
    def items_amount(self) -> int:
        """Price after the line's discount and its share of order discounts, before tax."""
        return self.quantity * self.unit_price - self.line_discount - self.order_discount


@dataclass(frozen=True)
class RefundedSoFar:
    """Earlier refunds on one order line, across every return of the order."""

    units: int = 0
    items_amount: int = 0
    tax_amount: int = 0


@dataclass(frozen=True)
class UnitsToRefund:
    return_line_id: int
    order_line_id: int
    units: int
    is_merchant_fault: bool = False


@dataclass(frozen=True)
class FeeSettings:
    restocking_fee_bp: int = 0
    restocking_fee_fixed: int = 0
    return_shipping_fee: int = 0
    label_cost: int = 0
    store_credit_bonus_bp: int = 0
    store_credit_bonus_fixed: int = 0
    store_credit_bonus_cap: int | None = None
    waive_fees_for_store_credit: bool = False
    waive_fees_for_exchange: bool = True
    refund_original_shipping: bool = False


@dataclass(frozen=True)
class QuoteRequest:
    currency: str
    order_lines: Sequence[PaidLine]
    units: Sequence[UnitsToRefund]
    fees: FeeSettings
    #: Original shipping charged on the order, tax included.
    shipping_paid: int = 0
    #: Earlier refunds per order line id.
    refunded: Mapping[int, RefundedSoFar] = field(default_factory=dict)
    shipping_refunded: int = 0
    #: True when the parcel travels on the merchant's label or drop-off code.
    uses_merchant_shipping: bool = False
    #: True when any line of the return (refunded now or not) has a merchant-fault reason:
    #: the return's shipping fees are waived whichever refund its units come in.
    return_has_merchant_fault: bool = False
    #: True when an earlier refund of this same return already charged its fixed fees.
    fixed_fees_charged: bool = False
    #: Store-credit bonus earlier refunds of this same return already gave.
    bonus_already_given: int = 0
    #: What the order's payments still hold: captured minus every earlier refund.
    payments_remaining: int | None = None
    #: Fees staff waived on this return (its policy override), whatever else applies.
    waived_by_staff: frozenset[FeeCode] = frozenset()


@dataclass(frozen=True)
class QuoteLine:
    return_line_id: int
    order_line_id: int
    units: int
    items_amount: int
    tax_amount: int

    @property
    def total(self) -> int:
        return self.items_amount + self.tax_amount


@dataclass(frozen=True)
class Fee:
    code: FeeCode
    amount: int
    waived: bool = False
    note: str = ""


@dataclass(frozen=True)
class MethodTotal:
    method: QuoteMethod
    fees: tuple[Fee, ...]
    bonus: int
    #: Paid money given back: refundable minus the fees charged.
    paid_amount: int

    @property
    def fees_charged(self) -> int:
        return sum(fee.amount for fee in self.fees if not fee.waived)

    @property
    def charges_fixed_fees(self) -> bool:
        """True when a once-per-return fee is charged (a percentage fee alone is not one)."""
        return any(fee.code in FIXED_FEES and not fee.waived for fee in self.fees)

    @property
    def total(self) -> int:
        return self.paid_amount + self.bonus


@dataclass(frozen=True)
class RefundQuote:
    currency: str
    lines: tuple[QuoteLine, ...]
    shipping_amount: int
    methods: Mapping[QuoteMethod, MethodTotal]
    #: Set when the payments left on the order capped the refund.
    capped_by_payments: bool = False

    @property
    def items_amount(self) -> int:
        return sum(line.items_amount for line in self.lines)

    @property
    def tax_amount(self) -> int:
        return sum(line.tax_amount for line in self.lines)

    @property
    def refundable(self) -> int:
        """Most paid money this return can give back now, before any fee."""
        return self.items_amount + self.tax_amount + self.shipping_amount

    def method(self, method: QuoteMethod) -> MethodTotal:
        return self.methods[method]


def unit_share(amount: int, quantity: int, first_unit: int, units: int) -> int:
    """The part of `amount` that units `first_unit … first_unit + units - 1` of `quantity` hold.

    Equal split by the largest-remainder rule, odd minor units to the earliest units; so any
    sequence of partial returns adds up to exactly `amount` once every unit is back.
    """
    if quantity <= 0 or units <= 0:
        return 0
    return _cumulative_share(amount, quantity, first_unit + units) - _cumulative_share(
        amount, quantity, first_unit
    )


def _cumulative_share(amount: int, quantity: int, units: int) -> int:
    units = max(0, min(units, quantity))
    base, leftover = divmod(amount, quantity)
    return units * base + min(units, leftover)


def quote_refund(request: QuoteRequest) -> RefundQuote:
    lines_by_id = {line.order_line_id: line for line in request.order_lines}
    refunded_units = {key: value.units for key, value in request.refunded.items()}
    refunded_money = {
        key: value.items_amount + value.tax_amount for key, value in request.refunded.items()
    }
    quote_lines: list[QuoteLine] = []
    fault_flags: list[bool] = []
    for wanted in request.units:
        paid = lines_by_id.get(wanted.order_line_id)
        if paid is None or wanted.units <= 0:
            continue
        first = refunded_units.get(wanted.order_line_id, 0)
        units = min(wanted.units, paid.quantity - first)
        if units <= 0:
            continue
        items = unit_share(paid.items_amount, paid.quantity, first, units)
        tax = unit_share(paid.tax, paid.quantity, first, units)
        left_on_line = paid.items_amount + paid.tax - refunded_money.get(wanted.order_line_id, 0)
        items, tax = _fit(items, tax, max(left_on_line, 0))
        refunded_units[wanted.order_line_id] = first + units
        refunded_money[wanted.order_line_id] = refunded_money.get(wanted.order_line_id, 0) + (
            items + tax
        )
        quote_lines.append(
            QuoteLine(wanted.return_line_id, wanted.order_line_id, units, items, tax)
        )
        fault_flags.append(wanted.is_merchant_fault)

    any_merchant_fault = any(fault_flags) or request.return_has_merchant_fault
    shipping = 0
    if quote_lines and (request.fees.refund_original_shipping or any_merchant_fault):
        shipping = max(request.shipping_paid - request.shipping_refunded, 0)

    capped = False
    refundable = sum(line.total for line in quote_lines) + shipping
    if request.payments_remaining is not None and refundable > request.payments_remaining:
        quote_lines, shipping = _cap_to(quote_lines, shipping, max(request.payments_remaining, 0))
        refundable = sum(line.total for line in quote_lines) + shipping
        capped = True

    fault_free_items = sum(
        line.items_amount
        for line, is_fault in zip(quote_lines, fault_flags, strict=True)
        if not is_fault
    )
    items_value = sum(line.total for line in quote_lines)
    fees = _fees(request, fault_free_items, any_merchant_fault, bool(quote_lines))
    methods = {
        method: _method_total(request, method, fees, refundable, items_value)
        for method in QuoteMethod
    }
    return RefundQuote(
        currency=request.currency,
        lines=tuple(quote_lines),
        shipping_amount=shipping,
        methods=methods,
        capped_by_payments=capped,
    )


def _fit(items: int, tax: int, limit: int) -> tuple[int, int]:
    """Shrink items and tax together, in proportion, to at most `limit`."""
    if items + tax <= limit:
        return items, tax
    shrunk = allocate(limit, [items, tax])
    return shrunk[0], shrunk[1]


def _cap_to(lines: list[QuoteLine], shipping: int, limit: int) -> tuple[list[QuoteLine], int]:
    weights = [part for line in lines for part in (line.items_amount, line.tax_amount)]
    weights.append(shipping)
    parts = allocate(limit, weights)
    capped = [
        QuoteLine(
            line.return_line_id,
            line.order_line_id,
            line.units,
            parts[2 * index],
            parts[2 * index + 1],
        )
        for index, line in enumerate(lines)
    ]
    return capped, parts[-1]


def _fees(
    request: QuoteRequest, fault_free_items: int, any_merchant_fault: bool, has_lines: bool
) -> list[Fee]:
    settings = request.fees
    if not has_lines:
        return []
    fees: list[Fee] = []
    restocking = _percent(fault_free_items, settings.restocking_fee_bp)
    if restocking > 0:
        fees.append(Fee(FeeCode.RESTOCKING, restocking))
    if request.fixed_fees_charged:
        return _waive_for_staff(fees, request.waived_by_staff)
    if settings.restocking_fee_fixed > 0 and fault_free_items > 0:
        fees.append(Fee(FeeCode.RESTOCKING_FIXED, settings.restocking_fee_fixed))
    shipping_fees = [
        (FeeCode.RETURN_SHIPPING, settings.return_shipping_fee),
        (FeeCode.LABEL, settings.label_cost),
    ]
    for code, amount in shipping_fees:
        if amount <= 0 or not request.uses_merchant_shipping:
            continue
        if any_merchant_fault:
            fees.append(Fee(code, amount, waived=True, note="merchant-fault reason"))
        else:
            fees.append(Fee(code, amount))
    return _waive_for_staff(fees, request.waived_by_staff)


def _waive_for_staff(fees: Sequence[Fee], waived: frozenset[FeeCode]) -> list[Fee]:
    return [
        Fee(fee.code, fee.amount, waived=True, note="waived by staff")
        if fee.code in waived and not fee.waived
        else fee
        for fee in fees
    ]


def _method_total(
    request: QuoteRequest,
    method: QuoteMethod,
    fees: Sequence[Fee],
    refundable: int,
    items_value: int,
) -> MethodTotal:
    settings = request.fees
    waive_note = {
        QuoteMethod.STORE_CREDIT: settings.waive_fees_for_store_credit,
        QuoteMethod.EXCHANGE: settings.waive_fees_for_exchange,
    }.get(method, False)
    applied = [
        Fee(fee.code, fee.amount, waived=True, note=f"waived for {method.value}")
        if waive_note and not fee.waived
        else fee
        for fee in fees
    ]
    # Fees never take more than the refund itself.
    due = sum(fee.amount for fee in applied if not fee.waived)
    charged = min(due, max(refundable, 0))
    applied = _spread_charge(applied, charged)
    bonus = 0
    if method is QuoteMethod.STORE_CREDIT and items_value > 0:
        bonus = _percent(items_value, settings.store_credit_bonus_bp)
        if request.bonus_already_given == 0:
            bonus += settings.store_credit_bonus_fixed
        cap = settings.store_credit_bonus_cap
        if cap is not None:
            bonus = min(bonus, max(cap - request.bonus_already_given, 0))
    return MethodTotal(method, tuple(applied), bonus, refundable - charged)


def _spread_charge(fees: Sequence[Fee], charged: int) -> list[Fee]:
    """Charge `charged` across the unwaived fees in order; what does not fit is marked waived."""
    result: list[Fee] = []
    left = charged
    for fee in fees:
        if fee.waived:
            result.append(fee)
            continue
        take = min(fee.amount, left)
        left -= take
        if take == fee.amount:
            result.append(fee)
        elif take == 0:
            result.append(Fee(fee.code, fee.amount, waived=True, note="capped at the refund"))
        else:
            result.append(Fee(fee.code, take, note="reduced to what is left to charge"))
    return result


def _percent(amount: int, basis_points: int) -> int:
    """`amount` × basis points ÷ 10 000, rounded half up (amount and rate are never negative)."""
    return (amount * basis_points + BASIS_POINTS // 2) // BASIS_POINTS
