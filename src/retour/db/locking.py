"""Row locks that work on both engines, so that concurrent writers of one row take turns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, func, select, update
from sqlalchemy.orm import Session

S = TypeVar("S", bound=Select[*tuple[Any, ...]])  # any SELECT, whatever its columns


def lock_row(session: Session, statement: S, model: Any, row_id: int, store_id: int) -> S:
    """`statement` (which reads the row) made to hold the row's lock until commit.

    PostgreSQL: SELECT … FOR UPDATE. SQLite has no row locks: a no-op write first takes the
    database's writer lock, which serializes writers the same way.
    """
    if session.get_bind().dialect.name == "postgresql":
        return statement.with_for_update(of=model)
    take_writer_lock(session, model, row_id, store_id)
    return statement


def take_writer_lock(session: Session, model: Any, row_id: int, store_id: int) -> None:
    """SQLite: a no-op write of the row, which takes the database's writer lock until commit."""
    session.execute(
        update(model)
        .where(model.id == row_id, model.store_id == store_id)
        .values(id=model.id)
        .execution_options(synchronize_session=False)
    )


def take_store_writer_lock(session: Session, store_id: int) -> None:
    """SQLite: take the database's writer lock first, for a use case that reads and then
    writes without a row of its own to lock yet (importing an order). Otherwise a writer that
    commits between its read and its write (the in-process worker's chores) makes its write
    fail at once ("database is locked": its snapshot is stale) rather than wait its turn.
    PostgreSQL needs nothing: its writers wait on the rows they touch."""
    from retour.db.models import Store

    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        update(Store)
        .where(Store.id == store_id)
        .values(id=Store.id)
        .execution_options(synchronize_session=False)
    )


def try_fold_lock(session: Session, key: int, store_id: int) -> bool:
    """Whether this transaction may fold the store's running tallies of kind `key`: on
    PostgreSQL one fold per store and kind at a time (a transaction-level advisory lock; who
    does not get it skips folding), so two folds never wait on each other's rows. SQLite has
    one writer at a time already."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(key, store_id))))


@contextmanager
def held_process_lock(engine: Engine, key: int) -> Iterator[bool]:
    """Whether this process may run the job of `key` (one 64-bit number) now: on PostgreSQL
    one holder at a time across every process (a session-level advisory lock on a connection
    of its own, held across the job's many transactions and let go when the block ends, or
    when the process dies with its connection); who does not get it skips the job. SQLite:
    always yes, one process is assumed."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        held = bool(connection.scalar(select(func.pg_try_advisory_lock(key))))
        try:
            yield held
        finally:
            if held:
                try:
                    connection.scalar(select(func.pg_advisory_unlock(key)))
                except Exception:
                    connection.invalidate()  # never back to the pool still holding it
                    raise
