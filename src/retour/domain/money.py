"""Money: integer minor units with an ISO 4217 code. No floats anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.numbers import get_currency_precision, list_currencies

from retour.domain.errors import InvalidRequest


def currency_precision(currency: str) -> int:
    """Digits after the decimal point for `currency`, from CLDR (JPY 0, USD 2, KWD 3)."""
    return int(get_currency_precision(currency))


def validate_currency(currency: str, field: str = "currency") -> str:
    code = currency.upper()
    if code not in list_currencies():
        raise InvalidRequest(f"{currency!r} is not an ISO 4217 currency code", field=field)
    return code


@dataclass(frozen=True, order=True)
class Money:
    amount: int
    currency: str

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` so the parts always add up to `total`.

    Largest-remainder rule: every part gets the floor of its exact share, then the units
    left over go one each to the parts with the largest remainders, ties to the earliest.
    """
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if not weights:
        return []
    if weight_sum == 0:
        return [total if index == 0 else 0 for index in range(len(weights))]
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    floors = [magnitude * weight // weight_sum for weight in weights]
    remainders = [magnitude * weight % weight_sum for weight in weights]
    leftover = magnitude - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return [sign * part for part in floors]
