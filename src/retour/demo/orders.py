"""Two years of Maison Demo orders, built as the shop platform would send them."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

from retour.demo.catalog import (
    PRODUCTS,
    SIZE_WEIGHTS,
    SIZES,
    VAT_PERCENT,
    CustomerSpec,
    ProductSpec,
)
from retour.domain.money import allocate
from retour.services.order_import import (
    CustomerImport,
    FulfilmentImport,
    FulfilmentLineImport,
    OrderImport,
    OrderLineImport,
    PaymentImport,
    ProductImport,
    ShippingImport,
)

HISTORY_DAYS = 730
SHOP_TIMEZONE = ZoneInfo("Europe/Paris")
FREE_SHIPPING_FROM = 10_000
SHIPPING_NET = 490

_MONTH_WEIGHTS = (1.0, 0.7, 0.8, 0.9, 0.95, 1.0, 0.95, 0.7, 0.9, 1.05, 1.8, 2.0)
_WEEKDAY_WEIGHTS = (1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 1.15)
_HOURS = tuple(range(7, 24))
_HOUR_WEIGHTS = (1, 2, 3, 3, 4, 5, 5, 4, 4, 4, 5, 6, 7, 8, 8, 6, 3)
_LINE_COUNTS = (1, 2, 3, 4)
_LINE_COUNT_WEIGHTS = (50, 30, 14, 6)


@dataclass(frozen=True)
class DemoOrder:
    """An order payload, and the platform id of a size bought only to compare (or None)."""

    payload: OrderImport
    bracketed_line_id: str | None


@dataclass(frozen=True)
class _Pick:
    product: ProductSpec
    size: str
    colour: str
    quantity: int


def order_times(rng: Random, count: int, reference: datetime) -> list[datetime]:
    """`count` moments over the two years before `reference`, busiest in November–December."""
    days = [reference.date() - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    cumulative = list(itertools.accumulate(_day_weight(day, n) for n, day in enumerate(days)))
    moments = []
    for index in range(count):
        target = (index + rng.random()) / count * cumulative[-1]
        day = days[min(bisect.bisect_left(cumulative, target), len(days) - 1)]
        local = datetime.combine(
            day, time(rng.choices(_HOURS, _HOUR_WEIGHTS)[0], rng.randrange(60), rng.randrange(60))
        )
        moments.append(local.replace(tzinfo=SHOP_TIMEZONE).astimezone(UTC))
    return sorted(moments)


def build_order(
    rng: Random, sequence: int, placed_at: datetime, customer: CustomerSpec, reference: datetime
) -> DemoOrder:
    """One order: lines, discounts, VAT, shipping, payments and its fulfilment so far."""
    order_id = str(5_100_000_000 + sequence)
    picks, bracketed_index = _pick_lines(rng, placed_at.month)
    lines = _priced_lines(rng, order_id, picks, placed_at.date())
    merchandise = sum(_net(line) for line in lines)
    shipping = ShippingImport(
        amount=0 if merchandise >= FREE_SHIPPING_FROM else SHIPPING_NET,
        tax=0 if merchandise >= FREE_SHIPPING_FROM else _vat(SHIPPING_NET),
        name=customer.name,
        line1=customer.street,
        city=customer.city,
        postal_code=customer.postal_code,
        country=customer.country,
    )
    total = sum(_net(line) + line.tax for line in lines) + shipping.amount + shipping.tax
    payload = OrderImport(
        id=order_id,
        number=f"#{1001 + sequence}",
        placed_at=placed_at,
        currency="EUR",
        customer=CustomerImport(email=customer.email, name=customer.name, locale=customer.locale),
        is_gift=rng.random() < (0.15 if placed_at.month == 12 else 0.04),
        shipping=shipping,
        lines=lines,
        payments=_payments(rng, order_id, total),
        fulfilments=_fulfilments(rng, order_id, lines, placed_at, reference),
    )
    bracketed = None if bracketed_index is None else lines[bracketed_index].id
    return DemoOrder(payload, bracketed)


def _day_weight(day: date, index: int) -> float:
    growth = 1.0 + 0.35 * index / HISTORY_DAYS
    weight = _MONTH_WEIGHTS[day.month - 1] * _WEEKDAY_WEIGHTS[day.weekday()] * growth
    return weight * (3.0 if _is_black_friday_weekend(day) else 1.0)


def _black_friday(year: int) -> date:
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def _is_black_friday_weekend(day: date) -> bool:
    return -1 <= (day - _black_friday(day.year)).days <= 3


def _sale_percent(rng: Random, day: date) -> int:
    """The discount on one line: seasonal sales, Black Friday week, or now and then a promo."""
    if -4 <= (day - _black_friday(day.year)).days <= 3:
        return 25 if rng.random() < 0.7 else 0
    if date(day.year, 1, 7) <= day <= date(day.year, 2, 3):
        return 30 if rng.random() < 0.6 else 0
    if date(day.year, 6, 24) <= day <= date(day.year, 7, 21):
        return 30 if rng.random() < 0.6 else 0
    return 15 if rng.random() < 0.04 else 0


def _pick_lines(rng: Random, month: int) -> tuple[list[_Pick], int | None]:
    """Distinct variants; sometimes the same piece in two sizes, one of them to send back."""
    weights = [product.weight_in(month) for product in PRODUCTS]
    wanted = rng.choices(_LINE_COUNTS, _LINE_COUNT_WEIGHTS)[0]
    picks: list[_Pick] = []
    while len(picks) < wanted:
        product = rng.choices(PRODUCTS, weights)[0]
        pick = _Pick(
            product,
            rng.choices(SIZES, SIZE_WEIGHTS)[0],
            rng.choice(product.colours),
            rng.choices((1, 2, 3), (86, 12, 2))[0],
        )
        if all(_sku(pick) != _sku(other) for other in picks):
            picks.append(pick)
    if len(picks) < 4 and not picks[0].product.is_final_sale and rng.random() < 0.08:
        first = picks[0]
        position = SIZES.index(first.size)
        other = SIZES[position + 1] if position + 1 < len(SIZES) else SIZES[position - 1]
        picks[0] = _Pick(first.product, first.size, first.colour, 1)
        picks.append(_Pick(first.product, other, first.colour, 1))
        if all(_sku(picks[-1]) != _sku(p) for p in picks[:-1]):
            return picks, rng.choice((0, len(picks) - 1))
        picks.pop()
    return picks, None


def _sku(pick: _Pick) -> str:
    return pick.product.sku(pick.size, pick.colour)


def _priced_lines(
    rng: Random, order_id: str, picks: list[_Pick], day: date
) -> list[OrderLineImport]:
    gross = [pick.product.net_price * pick.quantity for pick in picks]
    line_discounts = [(amount * _sale_percent(rng, day) + 50) // 100 for amount in gross]
    after_lines = [amount - off for amount, off in zip(gross, line_discounts, strict=True)]
    order_discount = _order_discount(rng, sum(after_lines))
    shares = allocate(order_discount, after_lines)
    return [
        OrderLineImport(
            id=f"{order_id}-{index + 1}",
            sku=_sku(pick),
            title=pick.product.variant_title(pick.size, pick.colour),
            quantity=pick.quantity,
            unit_price=pick.product.net_price,
            line_discount=line_discounts[index],
            order_discount_allocated=shares[index],
            tax=_vat(after_lines[index] - shares[index]),
            options={"size": pick.size, "colour": pick.colour.title()},
            product=ProductImport(
                handle=pick.product.handle,
                title=pick.product.title,
                collection=pick.product.collection,
                tags=list(pick.product.tags),
                is_final_sale=pick.product.is_final_sale,
            ),
        )
        for index, pick in enumerate(picks)
    ]


def _order_discount(rng: Random, merchandise: int) -> int:
    """A welcome code (10 %) on some orders, a 10 € voucher on a few larger ones."""
    draw = rng.random()
    if draw < 0.09:
        return merchandise // 10
    if draw < 0.13 and merchandise >= 8_000:
        return 1_000
    return 0


def _net(line: OrderLineImport) -> int:
    return line.unit_price * line.quantity - line.line_discount - line.order_discount_allocated


def _vat(net: int) -> int:
    return (net * VAT_PERCENT + 50) // 100


def _payments(rng: Random, order_id: str, total: int) -> list[PaymentImport]:
    """A card payment, sometimes after a gift card that covers part of the order."""
    gift_card = min(rng.choice((2_500, 5_000, 10_000)), total - 100)
    if rng.random() < 0.06 and gift_card > 0:
        return [
            PaymentImport(id=f"{order_id}-pay-1", gateway="gift_card", amount=gift_card),
            PaymentImport(id=f"{order_id}-pay-2", gateway="card", amount=total - gift_card),
        ]
    return [PaymentImport(id=f"{order_id}-pay-1", gateway="card", amount=total)]


def _fulfilments(
    rng: Random,
    order_id: str,
    lines: list[OrderLineImport],
    placed_at: datetime,
    reference: datetime,
) -> list[FulfilmentImport]:
    """One parcel: shipped within two days, delivered a few days later (if by `reference`)."""
    shipped_at = placed_at + timedelta(hours=rng.uniform(8, 40))
    if shipped_at >= reference:
        return []
    delivered_at: datetime | None = shipped_at + timedelta(hours=rng.uniform(20, 90))
    if delivered_at is not None and delivered_at >= reference:
        delivered_at = None
    quantities = [line.quantity for line in lines]
    if rng.random() < 0.04 and sum(quantities) > 1:
        quantities[-1] -= 1
    return [
        FulfilmentImport(
            id=f"{order_id}-ful-1",
            shipped_at=shipped_at,
            delivered_at=delivered_at,
            tracking_number=f"6A{rng.randrange(10**10, 10**11)}",
            lines=[
                FulfilmentLineImport(line_id=line.id, quantity=quantity)
                for line, quantity in zip(lines, quantities, strict=True)
                if quantity
            ],
        )
    ]
