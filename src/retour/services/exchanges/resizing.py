"""A replacement order following a return's lowered quantities, in the caller's transaction.

An exchange never sends more units than come back: a replacement (the same items again)
sends each returned variant's approved units; a same-product exchange sends, per returned
product, at most its approved units (the items chosen last give up units first). The units it
no longer sends go back from reserved to sellable stock, one movement each, and its price is
worked out again. An any-product exchange is chosen against the return's value, not per unit,
so it has no units to follow: staff choose it again (or cancel it) instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from retour.db.models import ReplacementOrderRow, Variant
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.exchanges import (
    ExchangeKind,
    ReplacementStatus,
    holds_stock,
    outstanding_balance,
)
from retour.domain.lines import Resolution
from retour.domain.quantity_edits import trimmed_units
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.exchanges.pricing import revalue
from retour.services.exchanges.records import (
    active_replacement,
    cancel_replacement,
    exchange_payload,
    record_exchange_event,
)
from retour.services.exchanges.stock import give_back_units


def replacement_to_follow(uow: UnitOfWork, ret: Return) -> ReplacementOrderRow | None:
    """The return's replacement that an edit of its quantities must follow, if any; an
    any-product exchange is refused (it is priced against value, not units)."""
    if ret.resolution not in (Resolution.EXCHANGE, Resolution.REPLACEMENT):
        return None
    replacement = active_replacement(uow, ret)
    if replacement is None:
        return None
    if ReplacementStatus(replacement.status) is ReplacementStatus.RELEASED:
        # Released: the returned units were paid back in goods (a refund row holds them).
        raise InvalidRequest(
            "the exchange was already released to the shop, which settled these units; "
            "their quantities can no longer change",
            field="lines",
        )
    if ExchangeKind(replacement.kind) is ExchangeKind.ANY_PRODUCT:
        raise InvalidRequest(
            "the return is exchanged for other products against its value, so the exchange "
            "cannot follow new quantities; cancel the exchange or choose it again first",
            field="lines",
        )
    return replacement


def follow_quantities(
    uow: UnitOfWork,
    ret: Return,
    replacement: ReplacementOrderRow,
    actor: Actor,
    now: datetime,
) -> None:
    """Send no more units than the return's approved ones, giving the rest of the stock back."""
    keys, allowed = _units_allowed(uow, ret, replacement)
    items = [(keys[line.variant_id], line.quantity) for line in replacement.lines]
    kept = trimmed_units(items, allowed)
    if kept == [line.quantity for line in replacement.lines]:
        revalue(uow, replacement, ret)
    elif not any(kept):
        cancel_replacement(
            uow, replacement, ret, actor, now, "no units of the return are exchanged any more"
        )
    else:
        released = _release(uow, replacement, kept, now)
        uow.session.flush()
        revalue(uow, replacement, ret)
        replacement.updated_at = now
        record_exchange_event(
            uow,
            ret,
            "exchange.reduced",
            {**exchange_payload(replacement), "released": released},
            actor,
            now,
        )
    ret.balance_due = outstanding_balance(
        ReplacementStatus(replacement.status), replacement.balance_due
    )


def _release(
    uow: UnitOfWork, replacement: ReplacementOrderRow, kept: list[int], now: datetime
) -> list[dict[str, object]]:
    released = []
    holding = holds_stock(ReplacementStatus(replacement.status))
    for line, units in list(zip(replacement.lines, kept, strict=True)):
        given_back = line.quantity - units
        if not given_back:
            continue
        if holding:
            give_back_units(uow, replacement, line.variant_id, given_back, now)
        released.append({"sku": line.sku, "quantity": given_back})
        if units:
            line.quantity = units
        else:
            replacement.lines.remove(line)
    return released


def _units_allowed(
    uow: UnitOfWork, ret: Return, replacement: ReplacementOrderRow
) -> tuple[dict[int, int], dict[int, int]]:
    """Each replacement variant's key (itself, or its product for a same-product exchange),
    and the approved units of the return per key."""
    returned = [
        (line.variant_id, line.approved_quantity)
        for line in ret.lines
        if line.variant_id is not None and not line.is_unexpected
    ]
    chosen = [line.variant_id for line in replacement.lines]
    if ExchangeKind(replacement.kind) is ExchangeKind.REPLACEMENT:
        key = {variant_id: variant_id for variant_id, _ in returned} | {v: v for v in chosen}
    else:
        key = _products_of(uow, [variant_id for variant_id, _ in returned] + chosen)
    allowed: dict[int, int] = {}
    for variant_id, units in returned:
        allowed[key[variant_id]] = allowed.get(key[variant_id], 0) + units
    return key, allowed


def _products_of(uow: UnitOfWork, variant_ids: Iterable[int]) -> dict[int, int]:
    statement = select(Variant.id, Variant.product_id).where(Variant.id.in_(set(variant_ids)))
    return {variant_id: product_id for variant_id, product_id in uow.session.execute(statement)}
