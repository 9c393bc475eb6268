"""Running counts of returns per store and status, kept by the database itself.

Triggers on `returns` (migration 0009) add a row here for every return inserted (+1), deleted
(−1) or moved to another status (−1 for the old, +1 for the new), whoever writes it: the
services, the demo seed, a bulk load. The counts are the sums per status; the back office folds
a store's rows into one per status now and then (services/backoffice/tallies.py). Only
inserts while returns change, so writers never wait on a shared counter row.

A migration that rebuilds `returns` on SQLite (batch mode) drops its triggers: recreate them
(migration 0009's `create_triggers`). tests/integration/test_status_tallies.py would fail.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class ReturnStatusTally(Base):
    __tablename__ = "return_status_tallies"
    __table_args__ = (Index("ix_return_status_tallies_store", "store_id", "status"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    store_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(32))
    change: Mapped[int]
