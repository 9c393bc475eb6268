"""Close approved returns whose items never arrived (cron-safe: run it as often as you like)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.services.context import SYSTEM
from retour.services.errors import ConcurrentModification
from retour.services.returns.common import load_return, save_return

BATCH_SIZE = 200


def expire_overdue_returns(
    uow: UnitOfWork, now: datetime, on_progress: Callable[[int], None] | None = None
) -> int:
    """Expire every overdue approved return, each in its own transaction; returns the count.

    A return changed meanwhile (received, cancelled) is skipped, not overwritten.
    """
    expired = 0
    skipped: set[int] = set()
    while True:
        with uow:
            candidates = [i for i in uow.returns.overdue_ids(now, BATCH_SIZE + len(skipped))]
            stores = uow.returns.store_ids([i for i in candidates if i not in skipped])
        if not stores:
            return expired
        for return_id, store_id in stores.items():
            try:
                with uow:
                    ret = load_return(uow, store_id, return_id)
                    if ret.is_overdue(now):
                        ret.expire(now)
                        save_return(uow, ret, SYSTEM, now)
                        uow.commit()
                        expired += 1
                    else:
                        skipped.add(return_id)
            except ConcurrentModification:
                skipped.add(return_id)
            if on_progress is not None:
                on_progress(expired)
