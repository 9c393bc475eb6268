"""SQL functions SQLite lacks and Retour's triggers call (PostgreSQL has its own).

`retour_store_day(moment, timezone)`: the day of a store's calendar a stored UTC moment falls
on, as 'YYYY-MM-DD' (PostgreSQL: `(moment AT TIME ZONE timezone)::date`). Every connection
Retour opens registers it (db/engine.py); a connection that did not cannot write orders.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


def register(connection: sqlite3.Connection) -> None:
    connection.create_function("retour_store_day", 2, store_day, deterministic=True)


def store_day(moment: str | None, timezone: str | None) -> str | None:
    """`moment` as SQLite keeps a UTC datetime ('2026-03-01 23:30:00.000000')."""
    if moment is None or timezone is None:
        return None
    utc = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return utc.astimezone(_zone(timezone)).date().isoformat()


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
