"""What the scale store sells and when: categories with published return rates, seasonality.

The return rates are approximate: each is picked inside the range industry benchmarks commonly
publish for online sales of that category (docs/metrics.md, "Scale data", names them).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class Category:
    name: str
    #: Share of the lines sold.
    share: float
    #: Probability that a line sold in it comes back (the published range is `low`–`high`).
    return_rate: float
    low: float
    high: float
    #: Base price in minor units; variants cost a little more or less.
    price: int
    #: Reasons its returns give, as often as they appear here.
    reasons: tuple[str, ...]


SIZE = ("too_small", "too_small", "too_large", "too_large", "changed_mind", "not_as_described")
CATEGORIES = (
    Category("Apparel", 0.30, 0.24, 0.20, 0.30, 3500, SIZE),
    Category("Footwear", 0.15, 0.29, 0.25, 0.35, 7900, SIZE),
    Category("Bags & accessories", 0.15, 0.12, 0.10, 0.20, 4900,
             ("changed_mind", "changed_mind", "not_as_described", "damaged")),
    Category("Electronics", 0.15, 0.10, 0.08, 0.15, 12900,
             ("defective", "defective", "changed_mind", "not_as_described", "damaged")),
    Category("Home", 0.15, 0.08, 0.05, 0.15, 5900,
             ("damaged", "damaged", "changed_mind", "not_as_described")),
    Category("Beauty", 0.10, 0.07, 0.05, 0.12, 2500,
             ("changed_mind", "damaged", "not_as_described", "defective")),
)  # fmt: skip
PRODUCTS_PER_CATEGORY = 4
VARIANTS_PER_PRODUCT = 3

#: The store's year ends here (the seed never reads the wall clock: the same data every run).
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 365
#: Orders per day by month, January first: a quiet late winter, a flat summer, the holidays.
MONTHS = (0.90, 0.80, 0.95, 0.95, 1.00, 0.95, 0.92, 0.92, 0.95, 1.05, 1.35, 1.45)
#: Black Friday to Cyber Monday.
CYBER_WEEKEND = (3.0, 1.8, 1.6, 2.4)


@dataclass(frozen=True)
class CatalogVariant:
    """A variant by its index in the store (1-based) and what the seed needs of it."""

    index: int
    product: int
    category: Category
    price: int


def catalog() -> list[CatalogVariant]:
    """Every variant, product by product, category by category."""
    variants: list[CatalogVariant] = []
    for number, category in enumerate(CATEGORIES):
        for product in range(PRODUCTS_PER_CATEGORY):
            product_index = number * PRODUCTS_PER_CATEGORY + product + 1
            for size in range(VARIANTS_PER_PRODUCT):
                price = category.price + 500 * ((product + size) % 4 - 1)
                variants.append(CatalogVariant(len(variants) + 1, product_index, category, price))
    return variants


class VariantPicker:
    """A variant drawn by its category's share of the lines sold."""

    def __init__(self, variants: list[CatalogVariant]) -> None:
        self._variants = variants
        total, self._cumulative = 0.0, list[float]()
        for variant in variants:
            total += variant.category.share / (PRODUCTS_PER_CATEGORY * VARIANTS_PER_PRODUCT)
            self._cumulative.append(total)
        self._total = total

    def pick(self, rng: random.Random) -> CatalogVariant:
        at = bisect.bisect_left(self._cumulative, rng.random() * self._total)
        return self._variants[min(at, len(self._variants) - 1)]


def day_weight(day: date) -> float:
    """How many orders a day gets relative to an ordinary weekday in May."""
    weight = MONTHS[day.month - 1] * (1.3 if day.weekday() >= 5 else 1.0)
    after_black_friday = (day - black_friday(day.year)).days
    if 0 <= after_black_friday < len(CYBER_WEEKEND):
        weight *= CYBER_WEEKEND[after_black_friday]
    if day.month == 12 and day.day >= 24:
        weight *= 0.6  # Christmas Eve onwards: the gifts have been bought
    return weight


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1)


def day_weights() -> list[float]:
    """Cumulative share of the orders by each of the DAYS days up to NOW."""
    first = (NOW - timedelta(days=DAYS)).date()
    cumulative, total = [], 0.0
    for day in range(DAYS):
        total += day_weight(first + timedelta(days=day))
        cumulative.append(total)
    return [value / total for value in cumulative]
