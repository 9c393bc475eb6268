"""How many of a store's returns are in each status, from the running tallies the database
keeps (db/models/tallies.py): a sum over a few rows instead of a count over every return."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, insert, select

from retour.db.locking import try_fold_lock
from retour.db.models import ReturnStatusTally
from retour.db.unit_of_work import UnitOfWork
from retour.domain.statuses import ReturnStatus

#: A store's tally rows are folded into one per status once they are more than this.
FOLD_AFTER = 200
#: The first key of the advisory lock that one fold per store holds (PostgreSQL).
FOLD_LOCK = 0x7A11
T = ReturnStatusTally


def status_counts(uow: UnitOfWork, store_id: int) -> dict[str, int]:
    """Every status (zero included); call inside `with uow`. May fold the store's tallies, so
    the caller commits (a read-only page commits nothing else)."""
    rows = uow.session.execute(
        select(T.status, func.sum(T.change), func.count())
        .where(T.store_id == store_id)
        .group_by(T.status)
    ).all()
    found = {status: int(total) for status, total, _rows in rows}
    if sum(row_count for _status, _total, row_count in rows) > FOLD_AFTER + len(rows):
        fold_tallies(uow, store_id)
    return {status.value: found.get(status.value, 0) for status in ReturnStatus}


def fold_tallies(uow: UnitOfWork, store_id: int) -> None:
    """Replace the store's rows by one per status with their sum.

    The rows summed are the rows deleted, so a concurrent change (a new row) is never counted
    twice or lost. On PostgreSQL one fold per store runs at a time (a transaction-level
    advisory lock; a page that does not get it skips folding), so two folds never wait on
    each other's rows.
    """
    if not try_fold_lock(uow.session, FOLD_LOCK, store_id):
        return
    deleted = uow.session.execute(
        delete(T).where(T.store_id == store_id).returning(T.status, T.change)
    ).all()
    sums: dict[str, int] = defaultdict(int)
    for status, change in deleted:
        sums[status] += change
    kept = [
        {"store_id": store_id, "status": status, "change": total}
        for status, total in sorted(sums.items())
        if total
    ]
    if kept:
        uow.session.execute(insert(T), kept)
