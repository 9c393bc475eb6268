"""How a return's transitions move its exchange on, in the same transaction.

- approval: reserve the replacement's stock; if it ran out meanwhile, cancel it and fall back
  to the store's choice (store credit or refund). Returns with nothing to send back
  (keep-item replacement claims) release at once.
- receipt: once everything has arrived, release the replacement unless the shopper still
  owes a balance (staff release it with the payment reference).
- closing (rejected, cancelled, expired): cancel it and give the reserved units back.
"""

from __future__ import annotations

from datetime import datetime

from retour.db.models import ReplacementOrderRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.exchanges import ReplacementStatus, outstanding_balance
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services.context import Actor
from retour.services.exchanges.lifecycle import release_replacement
from retour.services.exchanges.pricing import revalue
from retour.services.exchanges.records import (
    active_replacement,
    cancel_replacement,
    exchange_payload,
    move_to,
    record_exchange_event,
)
from retour.services.exchanges.stock import reserve_stock, shortages
from retour.services.returns.common import save_return

FALLBACK_RESOLUTIONS = {"store_credit": Resolution.STORE_CREDIT, "refund": Resolution.REFUND}


def move_exchange_on(
    uow: UnitOfWork, ret: Return, moment: str, actor: Actor, now: datetime
) -> None:
    if ret.resolution not in (Resolution.EXCHANGE, Resolution.REPLACEMENT):
        return
    replacement = active_replacement(uow, ret)
    if replacement is None:
        return
    _move(uow, ret, replacement, moment, actor, now)
    # The return shows what its shopper owes; the moves above may have changed it.
    ret.balance_due = outstanding_balance(
        ReplacementStatus(replacement.status), replacement.balance_due
    )


def _move(
    uow: UnitOfWork,
    ret: Return,
    replacement: ReplacementOrderRow,
    moment: str,
    actor: Actor,
    now: datetime,
) -> None:
    status = ReplacementStatus(replacement.status)
    if moment == "approval" and status is ReplacementStatus.DRAFT:
        uow.session.flush()
        short = shortages(uow, replacement)
        if short:
            _fall_back(uow, ret, replacement, short, actor, now)
            return
        reserve_stock(uow, replacement, now)
        move_to(replacement, ReplacementStatus.PENDING, now)
        record_exchange_event(
            uow, ret, "exchange.reserved", exchange_payload(replacement), actor, now
        )
        if ret.return_method is ReturnMethod.KEEP_ITEM:
            _release_unless_owed(uow, replacement, ret, actor, now)
    elif moment == "receipt" and status is ReplacementStatus.PENDING:
        if ret.status is ReturnStatus.RECEIVED:
            uow.session.flush()
            _release_unless_owed(uow, replacement, ret, actor, now)
    elif moment == "closing" and status in (ReplacementStatus.DRAFT, ReplacementStatus.PENDING):
        cancel_replacement(uow, replacement, ret, actor, now, f"return {ret.status.value}")


def _release_unless_owed(
    uow: UnitOfWork, replacement: ReplacementOrderRow, ret: Return, actor: Actor, now: datetime
) -> None:
    """Release now, or, when the shopper owes something (fewer units approved or received
    than the exchange was chosen for, a dearer item), wait for staff to record the payment."""
    if revalue(uow, replacement, ret).pricing.balance_due == 0:
        release_replacement(uow, replacement, ret, actor, now)
        return
    record_exchange_event(
        uow, ret, "exchange.balance_due", exchange_payload(replacement), actor, now
    )


def _fall_back(
    uow: UnitOfWork,
    ret: Return,
    replacement: ReplacementOrderRow,
    short: dict[str, int],
    actor: Actor,
    now: datetime,
) -> None:
    missing = ", ".join(f"{sku} ({left} left)" for sku, left in sorted(short.items()))
    reason = f"out of stock: {missing}"
    cancel_replacement(uow, replacement, ret, actor, now, reason)
    store = uow.stores.get(ret.store_id)
    assert store is not None
    ret.fall_back_to(now, FALLBACK_RESOLUTIONS[store.exchange_fallback], reason)
    save_return(uow, ret, actor, now)
