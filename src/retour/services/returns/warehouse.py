"""The parcel's way back: in transit, received, inspected (stock moves), completed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import InspectionInput, Receipt, UnexpectedItem
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.returns.common import (
    act_on_return,
    after_transition,
    load_return,
    save_return,
)


def mark_return_in_transit(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    tracking_number: str,
    carrier: str = "",
) -> Return:
    return act_on_return(
        uow,
        store_id,
        return_id,
        actor,
        now,
        lambda r: r.mark_in_transit(now, tracking_number, carrier),
    )


def receive_return(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    receipts: Sequence[Receipt],
    unexpected: Sequence[UnexpectedItem] = (),
) -> Return:
    """Record what arrived; wrong items and unexpected extras are kept apart."""
    with uow:
        known_variants = uow.stores.variant_ids_by_sku(store_id, [i.sku for i in unexpected])
        matched = [
            UnexpectedItem(
                sku=item.sku,
                title=item.title,
                quantity=item.quantity,
                variant_id=item.variant_id or known_variants.get(item.sku.strip()),
                note=item.note,
            )
            for item in unexpected
        ]
        ret = load_return(uow, store_id, return_id)
        ret.receive(now, receipts, matched)
        save_return(uow, ret, actor, now)
        after_transition(uow, ret, "receipt", actor, now)
        uow.commit()
    return ret


def inspect_return(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    verdicts: Sequence[InspectionInput],
) -> Return:
    """Grade and route received units; each disposition moves stock, one movement each (a
    wrong item's: the stock of what arrived instead, when the store sells that SKU)."""
    with uow:
        ret = load_return(uow, store_id, return_id)
        moves = ret.inspect(now, _with_arrived_variants(uow, store_id, verdicts))
        save_return(uow, ret, actor, now)
        location_id = uow.returns.location_of(ret)
        for move in moves:
            uow.inventory.move(
                store_id=store_id,
                variant_id=move.variant_id,
                location_id=location_id,
                bucket=move.bucket.value,
                quantity=move.quantity,
                cause="return.inspected",
                occurred_at=now,
                return_id=ret.id,
                return_line_id=move.line_id,
            )
        after_transition(uow, ret, "inspection", actor, now)
        uow.commit()
    return ret


def complete_return(
    uow: UnitOfWork, store_id: int, return_id: int, actor: Actor, now: datetime
) -> Return:
    return act_on_return(uow, store_id, return_id, actor, now, lambda r: r.complete(now))


def _with_arrived_variants(
    uow: UnitOfWork, store_id: int, verdicts: Sequence[InspectionInput]
) -> list[InspectionInput]:
    named = [v.arrived_sku.strip() for v in verdicts if v.is_wrong_item and v.arrived_sku.strip()]
    if not named:
        return list(verdicts)
    variants = uow.stores.variant_ids_by_sku(store_id, named)
    return [
        replace(verdict, arrived_variant_id=variants.get(verdict.arrived_sku.strip()))
        if verdict.is_wrong_item
        else verdict
        for verdict in verdicts
    ]
