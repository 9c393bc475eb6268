"""Fees and incentives of a return under the policy, and the refund calculator's settings.

The refund calculator (refund_quote.py) takes one restocking rate per return. A policy may set
a different rate per collection, tag or SKU, so the engine computes the restocking fee of each
line itself and hands the calculator:

- the rate, when every line that pays a restocking fee has the same percentage (the calculator
  then computes exactly what this module shows, unit by unit, refund after refund);
- otherwise rate 0 and the lines' fees added to the per-return fixed fee, charged with the
  return's first refund (the amount shown here, not re-computed per refunded unit).

Merchant-fault lines never pay a restocking fee, and a return with a merchant-fault line pays
no return shipping (the calculator's rules, applied the same way here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from retour.domain.lines import Resolution
from retour.domain.money import allocate
from retour.domain.policy.document import Policy, Restocking
from retour.domain.policy.inputs import OrderContext, OrderedItem
from retour.domain.policy.results import LineFees, ReturnFees
from retour.domain.refund_quote import BASIS_POINTS, FeeSettings, unit_share


def percent_of(amount: int, basis_points: int) -> int:
    """`amount` × basis points ÷ 10 000, rounded half up (as the refund calculator rounds)."""
    return (amount * basis_points + BASIS_POINTS // 2) // BASIS_POINTS


def returned_units(item: OrderedItem, quantity: int) -> int:
    """The requested units that are still the order's to give back."""
    return max(min(quantity, item.quantity - item.returned_quantity), 0)


def units_value(item: OrderedItem, units: int) -> tuple[int, int]:
    """(items before tax, tax) of the next `units` units of the line, by the calculator's split."""
    paid = item.paid
    first = item.returned_quantity
    return (
        unit_share(paid.items_amount, paid.quantity, first, units),
        unit_share(paid.tax, paid.quantity, first, units),
    )


class RestockingBasis(Protocol):
    """What one eligible line's restocking fee is computed on."""

    @property
    def items_amount(self) -> int: ...
    @property
    def units(self) -> int: ...
    @property
    def restocking(self) -> Restocking: ...
    @property
    def restocking_rule(self) -> str: ...
    @property
    def is_merchant_fault(self) -> bool: ...


def restocking_fees(lines: Sequence[RestockingBasis]) -> list[LineFees]:
    """Each line's restocking fee, in the order given.

    The percentage is taken once on the lines that share a rate, then spread over them by the
    largest-remainder rule, so the lines add up to exactly what the calculator charges.
    """
    by_rate: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if not line.is_merchant_fault and line.restocking.percent_bp:
            by_rate.setdefault(line.restocking.percent_bp, []).append(index)
    percent_parts = [0] * len(lines)
    for rate, indexes in by_rate.items():
        weights = [lines[index].items_amount for index in indexes]
        total = percent_of(sum(weights), rate)
        # One line takes the whole of it (what `allocate` gives a single part).
        shares = allocate(total, weights) if len(weights) > 1 else [total]
        for index, share in zip(indexes, shares, strict=True):
            percent_parts[index] = share
    fees = []
    for index, line in enumerate(lines):
        restocking = line.restocking
        is_merchant_fault = line.is_merchant_fault
        fees.append(
            LineFees(
                restocking=0
                if is_merchant_fault
                else percent_parts[index] + restocking.fixed_per_unit * line.units,
                rule_id=line.restocking_rule,
                percent_bp=restocking.percent_bp,
                fixed_per_unit=restocking.fixed_per_unit,
                is_waived_for_merchant_fault=is_merchant_fault,
            )
        )
    return fees


class FeeLine(Protocol):
    """An eligible line as the return's fees see it."""

    @property
    def value(self) -> int: ...
    @property
    def is_merchant_fault(self) -> bool: ...


def return_fees(
    policy: Policy, order: OrderContext, lines: Sequence[FeeLine], line_fees: Sequence[LineFees]
) -> ReturnFees:
    """The return's fees: `lines` are its eligible lines, `line_fees` their restocking fees."""
    fees = policy.fees
    has_merchant_fault = False
    paying: list[LineFees] = []
    value = 0
    for line, fee in zip(lines, line_fees, strict=True):
        value += line.value
        if line.is_merchant_fault:
            has_merchant_fault = True
        else:
            paying.append(fee)
    shipping = fees.return_shipping
    label_cost = order.label_cost or 0
    shipping_fee, label_fee = 0, 0
    if shipping is not None:
        shipping_fee, label_fee = (
            (0, label_cost) if shipping.uses_label_cost else (shipping.fixed, 0)
        )

    restocking = sum(fee.restocking for fee in paying)
    rates = {(fee.percent_bp, fee.fixed_per_unit) for fee in paying}
    if len(rates) == 1 and next(iter(rates))[1] == 0:
        rate_bp, fixed = next(iter(rates))[0], fees.restocking_per_return
    elif not rates:
        rate_bp, fixed = 0, fees.restocking_per_return
    else:
        rate_bp, fixed = 0, fees.restocking_per_return + restocking

    bonus = fees.store_credit_bonus
    settings = FeeSettings(
        restocking_fee_bp=rate_bp,
        restocking_fee_fixed=fixed,
        return_shipping_fee=shipping_fee,
        label_cost=label_fee,
        store_credit_bonus_bp=bonus.percent_bp if bonus else 0,
        store_credit_bonus_fixed=bonus.fixed if bonus else 0,
        store_credit_bonus_cap=bonus.cap if bonus else None,
        waive_fees_for_store_credit=Resolution.STORE_CREDIT in fees.waived_for,
        waive_fees_for_exchange=Resolution.EXCHANGE in fees.waived_for,
        refund_original_shipping=fees.refund_original_shipping,
    )
    return ReturnFees(
        restocking=restocking,
        restocking_per_return=fees.restocking_per_return if paying else 0,
        return_shipping=0 if has_merchant_fault else shipping_fee + label_fee,
        return_shipping_rule_id=shipping.id if shipping is not None else None,
        is_waived_for_merchant_fault=has_merchant_fault,
        waived_for=policy.rules.waived_for,
        store_credit_bonus=_bonus(settings, value),
        settings=settings,
    )


def _bonus(settings: FeeSettings, value: int) -> int:
    """The calculator's store-credit bonus on `value` (items and tax) for a first refund."""
    if value <= 0:
        return 0
    bonus = percent_of(value, settings.store_credit_bonus_bp) + settings.store_credit_bonus_fixed
    cap = settings.store_credit_bonus_cap
    return bonus if cap is None else min(bonus, cap)
