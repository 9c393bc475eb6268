"""Finding a return's replacement order, cancelling it, and writing its events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from retour.db.models import ReplacementOrderRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.exchanges import ReplacementStatus, ensure_can_move, holds_stock
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.errors import NotFound
from retour.services.exchanges.stock import give_back_stock

ACTIVE = (
    ReplacementStatus.DRAFT.value,
    ReplacementStatus.PENDING.value,
    ReplacementStatus.RELEASED.value,
)


def active_replacement(uow: UnitOfWork, ret: Return) -> ReplacementOrderRow | None:
    """The return's replacement that is neither shipped nor cancelled, if any."""
    statement = (
        select(ReplacementOrderRow)
        .where(ReplacementOrderRow.return_id == ret.id, ReplacementOrderRow.status.in_(ACTIVE))
        .options(selectinload(ReplacementOrderRow.lines))
        .execution_options(populate_existing=True)
    )
    return uow.session.scalars(statement).one_or_none()


def get_replacement(uow: UnitOfWork, store_id: int, replacement_id: int) -> ReplacementOrderRow:
    statement = (
        select(ReplacementOrderRow)
        .where(ReplacementOrderRow.id == replacement_id, ReplacementOrderRow.store_id == store_id)
        .options(selectinload(ReplacementOrderRow.lines))
        .execution_options(populate_existing=True)
    )
    replacement = uow.session.scalars(statement).one_or_none()
    if replacement is None:
        raise NotFound("exchange", replacement_id)
    return replacement


def move_to(replacement: ReplacementOrderRow, target: ReplacementStatus, now: datetime) -> None:
    ensure_can_move(ReplacementStatus(replacement.status), target)
    replacement.status = target.value
    replacement.updated_at = now


def cancel_replacement(
    uow: UnitOfWork,
    replacement: ReplacementOrderRow,
    ret: Return,
    actor: Actor,
    now: datetime,
    reason: str,
) -> None:
    """Cancel, giving reserved units back to sellable stock."""
    was_holding = holds_stock(ReplacementStatus(replacement.status))
    move_to(replacement, ReplacementStatus.CANCELLED, now)
    replacement.note = reason
    if was_holding:
        give_back_stock(uow, replacement, now)
    record_exchange_event(
        uow,
        ret,
        "exchange.cancelled",
        {**exchange_payload(replacement), "reason": reason},
        actor,
        now,
    )


def exchange_payload(replacement: ReplacementOrderRow) -> dict[str, Any]:
    return {
        "exchange_id": replacement.id,
        "kind": replacement.kind,
        "status": replacement.status,
        "currency": replacement.currency,
        "items_amount": replacement.items_amount,
        "credit_amount": replacement.credit_amount,
        "balance_due": replacement.balance_due,
        "items": [
            {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price}
            for line in replacement.lines
        ],
    }


def record_exchange_event(
    uow: UnitOfWork,
    ret: Return,
    name: str,
    payload: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> None:
    uow.events.append(
        [DomainEvent(name, payload)],
        store_id=ret.store_id,
        actor=str(actor),
        occurred_at=now,
        return_id=ret.id,
        order_id=ret.order_id,
    )
