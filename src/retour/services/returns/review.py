"""Staff (or automation) decide on a requested return: approve, reject, ask, cancel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.returns.common import (
    act_on_return,
    after_transition,
    load_return,
    save_return,
)


def approve_return(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    quantities: Mapping[int, int] | None = None,
    message: str = "",
) -> Return:
    """Approve all requested units, or only `quantities` (line id → units), with the staff's
    `message` to the shopper (shown in the approval e-mail)."""
    with uow:
        deadline_days = uow.stores.return_deadline_days(store_id)
        ret = load_return(uow, store_id, return_id)
        ret.approve(now, deadline_days, quantities, message)
        save_return(uow, ret, actor, now)
        after_transition(uow, ret, "approval", actor, now)
        uow.commit()
    return ret


def reject_return(
    uow: UnitOfWork, store_id: int, return_id: int, actor: Actor, now: datetime, reason: str
) -> Return:
    return act_on_return(
        uow, store_id, return_id, actor, now, lambda r: r.reject(now, reason), "closing"
    )


def request_return_info(
    uow: UnitOfWork, store_id: int, return_id: int, actor: Actor, now: datetime, message: str
) -> Return:
    return act_on_return(
        uow, store_id, return_id, actor, now, lambda r: r.request_info(now, message)
    )


def answer_return_info(
    uow: UnitOfWork, store_id: int, return_id: int, actor: Actor, now: datetime, message: str
) -> Return:
    return act_on_return(
        uow, store_id, return_id, actor, now, lambda r: r.answer_info(now, message)
    )


def cancel_return(
    uow: UnitOfWork, store_id: int, return_id: int, actor: Actor, now: datetime, reason: str = ""
) -> Return:
    return act_on_return(
        uow, store_id, return_id, actor, now, lambda r: r.cancel(now, reason), "closing"
    )
