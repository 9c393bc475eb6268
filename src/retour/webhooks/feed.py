"""The store's events, oldest first, for integrations that poll instead of subscribing.

A poller remembers the last id it saw and asks for the ones after it. Ids are taken when a
transaction writes its events, not when it commits, so on PostgreSQL an event can become
visible after one with a higher id; the feed therefore shows events only once they are
SETTLE old, by which time the transactions that wrote them have long committed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from retour.db.models import Event
from retour.db.unit_of_work import UnitOfWork
from retour.services.queries import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor

SETTLE = timedelta(seconds=5)


def list_events(
    uow: UnitOfWork,
    store_id: int,
    now: datetime,
    cursor: str | None,
    limit: int,
    event_type: str | None = None,
    return_id: int | None = None,
    after: int | None = None,
) -> Page[Event]:
    """Events with ids above `after` (or the cursor's), oldest first. `event_type` is a name
    (`return.approved`) or a family (`return.*`). Remember the last id seen and ask for
    `after=<it>` next time: ids only grow."""
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    statement = select(Event).where(Event.store_id == store_id, Event.occurred_at <= now - SETTLE)
    start = decode_cursor(cursor)
    if start is None:
        start = after
    if start is not None:
        statement = statement.where(Event.id > start)
    if event_type:
        if event_type.endswith(".*"):
            prefix = event_type[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(Event.name.like(prefix + "%", escape="\\"))
        else:
            statement = statement.where(Event.name == event_type)
    if return_id is not None:
        statement = statement.where(Event.return_id == return_id)
    statement = statement.order_by(Event.id).limit(limit + 1)
    with uow:
        rows = list(uow.session.scalars(statement))
    more = len(rows) > limit
    return Page(rows[:limit], encode_cursor(rows[limit - 1].id) if more else None)
