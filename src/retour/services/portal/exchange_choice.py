"""The portal's exchange: the variants an item can be swapped for (with their stock), the
checks of the shopper's picks, and what the swap costs. The exchange services do the work
(services/exchanges); this module only speaks the portal's fields (`exchange-{line}`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from retour.db.models import OrderLineRow, ReplacementOrderRow
from retour.db.repositories.inventory import DEFAULT_LOCATION
from retour.db.repositories.refunds import OrderMoney
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.exchanges import (
    ChosenItem,
    ExchangeKind,
    ExchangePricing,
    ReplacementStatus,
    outstanding_balance,
)
from retour.domain.inputs import LineRequest
from retour.domain.refund_quote import RefundQuote
from retour.services.exchanges.choosing import ItemChoice
from retour.services.exchanges.pricing import value_against_quote
from retour.services.exchanges.queries import VariantOption, variant_options

#: A portal exchange is another size or colour of the item sent back.
KIND = ExchangeKind.SAME_PRODUCT


def exchange_field(order_line_id: int) -> str:
    return f"exchange-{order_line_id}"


def options_by_line(
    uow: UnitOfWork, store_id: int, order_id: int, line_ids: Sequence[int]
) -> dict[int, tuple[VariantOption, ...]]:
    """Per order line of `line_ids`: the other variants of its product, with sellable stock
    where a new return would take them from (the store's default location)."""
    if not line_ids:
        return {}
    # The location comes with the lines: one round trip fewer on every page that shows them.
    statement = select(
        OrderLineRow.id, OrderLineRow.variant_id, DEFAULT_LOCATION.scalar_subquery()
    ).where(
        OrderLineRow.store_id == store_id,
        OrderLineRow.order_id == order_id,
        OrderLineRow.id.in_(line_ids),
    )
    rows = uow.session.execute(statement, {"store_id": store_id}).all()
    variants = {line_id: variant for line_id, variant, _ in rows if variant is not None}
    if not variants:
        return {}
    location_id = int(rows[0][2])
    options = variant_options(uow, store_id, set(variants.values()), location_id)
    product_of = {option.variant_id: option.product_id for option in options}
    return {
        line_id: other
        for line_id, variant_id in variants.items()
        if (
            other := tuple(
                option
                for option in options
                if option.product_id == product_of.get(variant_id)
                and option.variant_id != variant_id
            )
        )
    }


def check_exchange(
    lines: Sequence[LineRequest],
    picks: Mapping[int, int],
    options: Mapping[int, Sequence[VariantOption]],
) -> None:
    """Every item sent back names a variant it can be swapped for, in stock for all the
    units asked (two items swapped for the same variant add up)."""
    wanted: dict[int, int] = {}
    for line in lines:
        field = exchange_field(line.order_line_id)
        offered = {option.variant_id: option for option in options.get(line.order_line_id, ())}
        if not offered:
            raise InvalidRequest(
                "This item cannot be exchanged. Choose a refund or store credit.", field=field
            )
        option = offered.get(picks.get(line.order_line_id, 0))
        if option is None:
            raise InvalidRequest("Choose the size or colour you want instead.", field=field)
        wanted[option.variant_id] = wanted.get(option.variant_id, 0) + line.quantity
        if option.in_stock < wanted[option.variant_id]:
            raise out_of_stock(option.title, field)


def out_of_stock(title: str, field: str) -> InvalidRequest:
    return InvalidRequest(
        f"“{title}” is out of stock now. Choose another one, or a refund or store credit.",
        field=field,
        msgid="“{item}” is out of stock now. Choose another one, or a refund or store credit.",
        params={"item": title},
    )


def item_choices(lines: Sequence[LineRequest], picks: Mapping[int, int]) -> list[ItemChoice]:
    """What choose_exchange is asked for: one choice per variant, its units summed."""
    units: dict[int, int] = {}
    for line in lines:
        variant_id = picks[line.order_line_id]
        units[variant_id] = units.get(variant_id, 0) + line.quantity
    return [ItemChoice(variant_id, quantity) for variant_id, quantity in units.items()]


def line_of_choice(
    lines: Sequence[LineRequest], picks: Mapping[int, int], choice: ItemChoice
) -> int:
    """The first item swapped for `choice`'s variant: where a refusal of it is shown."""
    return next(
        line.order_line_id for line in lines if picks[line.order_line_id] == choice.variant_id
    )


@dataclass(frozen=True)
class ExchangePreview:
    #: (units, variant) per variant chosen.
    items: tuple[tuple[int, VariantOption], ...]
    pricing: ExchangePricing


def price_exchange_preview(
    quote: RefundQuote,
    money: OrderMoney,
    lines: Sequence[LineRequest],
    picks: Mapping[int, int],
    options: Mapping[int, Sequence[VariantOption]],
) -> ExchangePreview:
    """What the swap would cost against the quote of the return not yet made, priced the
    way the exchange will be once the return exists (services/exchanges/pricing.py)."""
    by_variant = {option.variant_id: option for found in options.values() for option in found}
    chosen = [
        (choice.quantity, by_variant[choice.variant_id]) for choice in item_choices(lines, picks)
    ]
    items = [
        ChosenItem(
            option.variant_id,
            option.product_id,
            option.sku,
            option.title,
            units,
            option.unit_price,
        )
        for units, option in chosen
    ]
    pricing = value_against_quote(quote, money, KIND, items).pricing
    return ExchangePreview(tuple(chosen), pricing)


@dataclass(frozen=True)
class ExchangeItem:
    title: str
    sku: str
    quantity: int


#: Where an exchange is, in the shopper's words.
EXCHANGE_STATES = {
    ReplacementStatus.DRAFT: "Chosen. It is set aside for you once the store approves the return.",
    ReplacementStatus.PENDING: "Set aside for you. It is sent once your items are back.",
    ReplacementStatus.RELEASED: "Being prepared for sending.",
    ReplacementStatus.SHIPPED: "Sent.",
    ReplacementStatus.CANCELLED: "Cancelled.",
}


@dataclass(frozen=True)
class PortalExchange:
    """A return's exchange as its shopper sees it."""

    status: ReplacementStatus
    items: tuple[ExchangeItem, ...]
    #: What the shopper still owes for it (a dearer item), in minor units of `currency`.
    balance_due: int
    currency: str
    tracking_number: str

    @property
    def state(self) -> str:
        return EXCHANGE_STATES[self.status]


def latest_exchange(uow: UnitOfWork, store_id: int, return_id: int) -> PortalExchange | None:
    """The return's most recent exchange (a cancelled one too: the shopper should see it went)."""
    statement = (
        select(ReplacementOrderRow)
        .where(ReplacementOrderRow.store_id == store_id, ReplacementOrderRow.return_id == return_id)
        .order_by(ReplacementOrderRow.id.desc())
        .limit(1)
    )
    row = uow.session.scalars(statement).one_or_none()
    if row is None:
        return None
    status = ReplacementStatus(row.status)
    return PortalExchange(
        status=status,
        items=tuple(ExchangeItem(line.title, line.sku, line.quantity) for line in row.lines),
        balance_due=outstanding_balance(status, row.balance_due),
        currency=row.currency,
        tracking_number=row.tracking_number,
    )
