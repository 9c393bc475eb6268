"""Close approved returns whose items never arrived (cron-safe: run it as often as you like)."""

from __future__ import annotations

from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.services.context import SYSTEM
from retour.services.errors import ConcurrentModification
from retour.services.returns.common import after_transition, load_return, save_return

BATCH_SIZE = 200


def expire_overdue_returns(uow: UnitOfWork, now: datetime) -> int:
    """Expire every overdue approved return, each in its own transaction; returns the count.

    A return changed meanwhile (received, cancelled) is skipped, not overwritten.
    """
    expired = 0
    skipped: set[int] = set()
    while True:
        with uow:
            batch = uow.returns.overdue(now, BATCH_SIZE, exclude=skipped)
        if not batch:
            return expired
        for return_id, store_id in batch:
            try:
                with uow:
                    ret = load_return(uow, store_id, return_id)
                    if not ret.is_overdue(now):
                        skipped.add(return_id)
                        continue
                    ret.expire(now)
                    save_return(uow, ret, SYSTEM, now)
                    after_transition(uow, ret, "closing", SYSTEM, now)
                    uow.commit()
                    expired += 1
            except ConcurrentModification:
                skipped.add(return_id)
