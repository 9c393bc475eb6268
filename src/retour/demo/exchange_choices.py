"""What a shopper picks for an exchange return, from what the portal's variant picker offers."""

from __future__ import annotations

from datetime import datetime

from retour.demo.catalog import PRODUCTS, SIZES
from retour.demo.return_plans import ReturnPlan
from retour.demo.stage import CUSTOMER, Stage, saved_id
from retour.domain.exchanges import ExchangeKind
from retour.domain.lines import ReturnLine
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services.exchanges.choosing import ItemChoice, choose_exchange
from retour.services.exchanges.queries import VariantOption, exchange_options
from retour.services.exchanges.stock import sellable_units

#: Which way a size complaint moves the size.
_SIZE_STEP = {"too_small": 1, "too_large": -1}
_PRODUCTS = {product.code: product for product in PRODUCTS}
#: A shopper trading up picks among the few pieces next up in price.
_TRADE_UP_CHOICES = 3


def choose(stage: Stage, plan: ReturnPlan, ret: Return, at: datetime) -> Return:
    """The shopper's pick, right after the request (or after a partial approval): another size
    of the same piece, a dearer piece (trading up), or for a merchant-fault claim the same
    items again. With nothing fitting in stock, nothing is chosen."""
    kind = plan.exchange
    if kind is None:
        raise ValueError(f"return {ret.number} is not an exchange")
    lines = _exchanged_lines(ret)
    if not lines:
        return ret
    choices: list[ItemChoice] = []
    if kind is ExchangeKind.ANY_PRODUCT:
        choices = _trade_up(stage, lines[0])
        if not choices:
            kind = ExchangeKind.SAME_PRODUCT
    if kind is ExchangeKind.SAME_PRODUCT:
        choices = _swaps(stage, ret, lines)
        if not choices:
            return ret
    if kind is ExchangeKind.REPLACEMENT and not _in_stock(stage, ret.lines):
        return ret
    choose_exchange(stage.uow, stage.store_id, saved_id(ret), kind, choices, CUSTOMER, at)
    return ret


def _exchanged_lines(ret: Return) -> list[ReturnLine]:
    """The requested lines, or once the return is approved, the approved ones."""
    is_approved = ret.status is ReturnStatus.APPROVED
    return [
        line
        for line in ret.lines
        if line.variant_id is not None and (line.approved_quantity or not is_approved)
    ]


def _units(line: ReturnLine) -> int:
    """The approved units once approved, the requested ones before."""
    return line.approved_quantity or line.requested_quantity


def _size_and_colour(sku: str) -> tuple[str, str, str]:
    """SKU stem, size and colour of a demo SKU (`LINEN-SHIRT-M-SAND`)."""
    code, size, colour = sku.rsplit("-", 2)
    return code, size, colour


def _wanted_size(size: str, reason_code: str) -> str:
    position = SIZES.index(size) + _SIZE_STEP.get(reason_code, 0)
    return SIZES[min(max(position, 0), len(SIZES) - 1)]


def _swaps(stage: Stage, ret: Return, lines: list[ReturnLine]) -> list[ItemChoice]:
    """Per line, the wanted size in the same colour if in stock, else in another colour."""
    options = exchange_options(stage.uow, stage.store_id, saved_id(ret))
    taken: dict[int, int] = {}
    for line in lines:
        option = _swap_for(line, options, taken)
        if option is not None:
            taken[option.variant_id] = taken.get(option.variant_id, 0) + _units(line)
    return [ItemChoice(variant_id, quantity) for variant_id, quantity in taken.items()]


def _swap_for(
    line: ReturnLine, options: list[VariantOption], taken: dict[int, int]
) -> VariantOption | None:
    returned = next((option for option in options if option.variant_id == line.variant_id), None)
    if returned is None:
        return None
    _, size, colour = _size_and_colour(returned.sku)
    size = _wanted_size(size, line.reason_code)
    fitting = [
        option
        for option in options
        if option.product_id == returned.product_id
        and _size_and_colour(option.sku)[1] == size
        and option.in_stock - taken.get(option.variant_id, 0) >= _units(line)
    ]
    # The same variant again only when no other colour is left.
    fitting.sort(
        key=lambda option: (
            option.variant_id == returned.variant_id,
            _size_and_colour(option.sku)[2] != colour,
            option.sku,
        )
    )
    return fitting[0] if fitting else None


def _trade_up(stage: Stage, line: ReturnLine) -> list[ItemChoice]:
    """One of the next pieces up in price, in the size that fits, in a colour in stock."""
    code, size, _ = _size_and_colour(line.sku)
    returned = _PRODUCTS[code]
    dearer = sorted(
        (
            product
            for product in PRODUCTS
            if product.net_price > returned.net_price and not product.is_final_sale
        ),
        key=lambda product: (product.net_price, product.code),
    )
    if not dearer:
        return []
    product = stage.rng.choice(dearer[:_TRADE_UP_CHOICES])
    size = _wanted_size(size, line.reason_code)
    colours = stage.rng.sample(product.colours, len(product.colours))
    skus = [product.sku(size, colour) for colour in colours]
    with stage.uow:
        variant_ids = stage.uow.stores.variant_ids_by_sku(stage.store_id, skus)
        location_id = stage.uow.inventory.default_location_id(stage.store_id)
        for sku in skus:
            variant_id = variant_ids.get(sku)
            if variant_id is None:
                continue
            if sellable_units(stage.uow, variant_id, location_id) >= _units(line):
                return [ItemChoice(variant_id, _units(line))]
    return []


def _in_stock(stage: Stage, lines: list[ReturnLine]) -> bool:
    """Whether the warehouse can send every returned item again."""
    with stage.uow:
        location_id = stage.uow.inventory.default_location_id(stage.store_id)
        return all(
            sellable_units(stage.uow, line.variant_id, location_id) >= _units(line)
            for line in lines
            if line.variant_id is not None
        )
