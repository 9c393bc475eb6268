"""The load → act → save → record steps every return use case shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.errors import NotFound


def load_return(uow: UnitOfWork, store_id: int, return_id: int, for_update: bool = True) -> Return:
    """The return, locked against concurrent writers unless `for_update` is False."""
    ret = uow.returns.get(store_id, return_id, for_update=for_update)
    if ret is None:
        raise NotFound("return", return_id)
    return ret


def save_return(uow: UnitOfWork, ret: Return, actor: Actor, now: datetime) -> None:
    """Save the aggregate and append the events it raised, in the same transaction."""
    uow.returns.save(ret)
    uow.events.append(
        ret.events,
        store_id=ret.store_id,
        actor=str(actor),
        occurred_at=now,
        return_id=ret.id,
        order_id=ret.order_id,
    )
    ret.events.clear()


def after_transition(
    uow: UnitOfWork, ret: Return, moment: str, actor: Actor, now: datetime
) -> None:
    """What follows a transition in the same transaction: the exchange moves on (reserve,
    release, give back), then the refund the store pays automatically at this `moment`
    (approval, receipt, inspection or closing)."""
    # Imported here: the exchange and refund use cases build on this module.
    from retour.services.exchanges.hooks import move_exchange_on
    from retour.services.refunds.automatic import refund_automatically

    move_exchange_on(uow, ret, moment, actor, now)
    refund_automatically(uow, ret, f"on_{moment}", actor, now)


def act_on_return(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    action: Callable[[Return], object],
    moment: str | None = None,
) -> Return:
    with uow:
        ret = load_return(uow, store_id, return_id)
        action(ret)
        save_return(uow, ret, actor, now)
        if moment is not None:
            after_transition(uow, ret, moment, actor, now)
        uow.commit()
    return ret
