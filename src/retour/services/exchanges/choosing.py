"""Choosing what a return is exchanged for (or replaced with), priced against its value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import ReplacementLineRow, ReplacementOrderRow, Variant
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.exchanges import (
    ChosenItem,
    ExchangeKind,
    ReplacementStatus,
    check_items,
)
from retour.domain.lines import Resolution
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services.context import Actor
from retour.services.exchanges.pricing import value_exchange
from retour.services.exchanges.records import (
    active_replacement,
    cancel_replacement,
    exchange_payload,
    record_exchange_event,
)
from retour.services.exchanges.stock import reserve_stock, sellable_units
from retour.services.returns.common import load_return

CHOOSABLE = frozenset({ReturnStatus.REQUESTED, ReturnStatus.NEEDS_INFO, ReturnStatus.APPROVED})
EXCHANGE_RESOLUTIONS = frozenset({Resolution.EXCHANGE, Resolution.REPLACEMENT})


@dataclass(frozen=True)
class ItemChoice:
    variant_id: int
    quantity: int


def choose_exchange(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    kind: ExchangeKind,
    choices: Sequence[ItemChoice],
    actor: Actor,
    now: datetime,
) -> ReplacementOrderRow:
    """Record the items the return becomes; a new choice replaces an earlier one.

    Stock is checked now (the shopper should not pick what is gone) and reserved once the
    return is approved.
    """
    with uow:
        ret = load_return(uow, store_id, return_id)
        if ret.status not in CHOOSABLE:
            raise IllegalTransition("choose an exchange for", ret.status.value)
        if ret.resolution not in EXCHANGE_RESOLUTIONS:
            raise InvalidRequest(
                f"the return is resolved by {ret.resolution.value}, not an exchange",
                field="resolution",
            )
        if kind is ExchangeKind.REPLACEMENT:
            _ensure_merchant_fault(uow, store_id, ret)
        earlier = active_replacement(uow, ret)
        if earlier is not None:
            cancel_replacement(uow, earlier, ret, actor, now, "replaced by a new choice")
        location_id = uow.returns.location_of(ret)
        items = (
            _same_items(uow, ret)
            if kind is ExchangeKind.REPLACEMENT
            else _chosen_items(uow, store_id, choices)
        )
        check_items(kind, items, _returned_products(uow, ret))
        for index, item in enumerate(items):
            available = sellable_units(uow, item.variant_id, location_id)
            if available < item.quantity:
                raise QuantityExceeded(
                    f"only {available} of {item.sku} in stock",
                    field=f"items[{index}].quantity",
                    maximum=available,
                )
        pricing = value_exchange(uow, ret, kind, items).pricing
        replacement = ReplacementOrderRow(
            store_id=store_id,
            return_id=return_id,
            kind=kind.value,
            status=ReplacementStatus.DRAFT.value,
            currency=ret.currency,
            items_amount=pricing.items_amount,
            credit_amount=pricing.credit_amount,
            balance_due=pricing.balance_due,
            location_id=location_id,
            balance_paid_reference="",
            tracking_number="",
            note="",
            created_at=now,
            updated_at=now,
            lines=[
                ReplacementLineRow(
                    store_id=store_id,
                    variant_id=item.variant_id,
                    sku=item.sku,
                    title=item.title,
                    quantity=item.quantity,
                    unit_price=item.unit_price,
                )
                for item in items
            ],
        )
        uow.session.add(replacement)
        uow.session.flush()
        record_exchange_event(
            uow, ret, "exchange.created", exchange_payload(replacement), actor, now
        )
        if ret.status is ReturnStatus.APPROVED:
            reserve_stock(uow, replacement, now)
            replacement.status = ReplacementStatus.PENDING.value
            record_exchange_event(
                uow, ret, "exchange.reserved", exchange_payload(replacement), actor, now
            )
        uow.commit()
    return replacement


def _chosen_items(
    uow: UnitOfWork, store_id: int, choices: Sequence[ItemChoice]
) -> list[ChosenItem]:
    wanted = [choice.variant_id for choice in choices]
    variants = {
        variant.id: variant
        for variant in uow.session.scalars(
            select(Variant).where(Variant.store_id == store_id, Variant.id.in_(wanted))
        )
    }
    items = []
    for index, choice in enumerate(choices):
        variant = variants.get(choice.variant_id)
        if variant is None:
            raise InvalidRequest(
                f"no variant {choice.variant_id} in this store", field=f"items[{index}].variant_id"
            )
        items.append(
            ChosenItem(
                variant_id=variant.id,
                product_id=variant.product_id,
                sku=variant.sku,
                title=variant.title,
                quantity=choice.quantity,
                unit_price=variant.price,
            )
        )
    return items


def _ensure_merchant_fault(uow: UnitOfWork, store_id: int, ret: Return) -> None:
    """A free replacement is for the store's mistakes (damaged, defective, wrong or missing
    items); a shopper's change of mind is an exchange."""
    merchant_fault = uow.stores.merchant_fault_reason_codes(store_id)
    for index, line in enumerate(ret.lines):
        if line.reason_code not in merchant_fault:
            raise InvalidRequest(
                f"a replacement is for the store's mistakes (damaged, defective, wrong or "
                f"missing items); line {line.id}'s reason {line.reason_code!r} is not one: "
                f"choose a same-product or any-product exchange",
                field="kind",
                line_index=index,
            )


def _same_items(uow: UnitOfWork, ret: Return) -> list[ChosenItem]:
    """A replacement re-sends the returned lines' own variants, unit for unit (the approved
    units once the return is approved)."""
    quantities: dict[int, int] = {}
    approved = ret.status is ReturnStatus.APPROVED
    for line in ret.lines:
        if line.variant_id is not None and not line.is_unexpected:
            units = line.approved_quantity if approved else line.requested_quantity
            if units == 0:
                continue
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + units
    if not quantities:
        raise InvalidRequest("no returned line names a catalogue variant", field="items")
    return _chosen_items(
        uow,
        ret.store_id,
        [ItemChoice(variant_id, units) for variant_id, units in quantities.items()],
    )


def _returned_products(uow: UnitOfWork, ret: Return) -> set[int]:
    variant_ids = {line.variant_id for line in ret.lines if line.variant_id is not None}
    if not variant_ids:
        return set()
    statement = select(Variant.product_id).where(Variant.id.in_(variant_ids))
    return set(uow.session.scalars(statement))
