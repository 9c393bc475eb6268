"""What the server's PostgreSQL backends are doing during a run, sampled from pg_stat_activity.

Averages over samples of how many backends are in each state: a create benchmark where most
backends wait on `Lock` is serialised on a row lock, not short of CPU.
"""

from __future__ import annotations

import threading
from collections import Counter
from types import TracebackType

import psycopg

from database import BenchDatabase

QUERY = """SELECT state, wait_event_type, wait_event FROM pg_stat_activity
WHERE datname = %s AND backend_type = 'client backend'"""


def category(state: str | None, wait_type: str | None, wait_event: str | None) -> str:
    if state == "idle":
        return "idle (between requests)"
    if state and state.startswith("idle in transaction"):
        return "in a transaction, waiting for the app"
    if wait_type == "Lock":
        return f"waiting for a lock ({wait_event})"
    if wait_type in ("IO", "LWLock"):
        return f"{wait_type} ({wait_event})"
    return "running a statement"


class WaitSampler:
    """`with WaitSampler(db) as sampler:` ... then `sampler.averages()`."""

    def __init__(self, database: BenchDatabase, interval: float = 0.05) -> None:
        self._database = database
        self._interval = interval
        self._stop = threading.Event()
        self._counts: Counter[str] = Counter()
        self._samples = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def averages(self) -> dict[str, float]:
        samples = max(self._samples, 1)
        return {name: round(n / samples, 2) for name, n in self._counts.most_common()}

    def _run(self) -> None:
        dsn = self._database.dsn.replace(f"dbname={self._database.name}", "dbname=postgres")
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not self._stop.wait(self._interval):
                for row in conn.execute(QUERY, (self._database.name,)):
                    self._counts[category(*row)] += 1
                self._samples += 1
