"""Which deliveries a worker may take and start per lane (the e-mail server, each webhook
subscription), so that one slow or dead receiver cannot hold up the others.

- A lane sends on at most half the threads at once.
- A lane is *stalled* while one of its sends has been running for SLOW_AFTER_SECONDS: the
  worker takes no more of its deliveries and hands back the ones it holds but has not
  started, so they are not leased for nothing while it waits.
- A lane whose last attempt failed after that long (a timeout, a receiver that hung up) is on
  *probation*: one delivery at a time until one succeeds, so a dead endpoint costs one thread
  per timeout. A slow endpoint that does answer is not on probation.
- Otherwise a lane holds at most half the worker's batch (queued and running), so that the
  other half is there for the other lanes' deliveries.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from retour.db.repositories.outbox import Lane, Outcome

SLOW_AFTER_SECONDS = 2.0


class Lanes:
    def __init__(
        self, threads: int, batch_size: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._send_limit = max(1, threads // 2)
        self.hold_limit = max(threads, batch_size // 2)
        self._monotonic = monotonic
        self._running: dict[Lane, list[float]] = {}
        self._queued: Counter[Lane] = Counter()
        self._on_probation: set[Lane] = set()

    # -- claiming (the repository's LaneRoom) -----------------------------------------------

    def room(self, lane: Lane) -> int:
        """How many more of the lane's deliveries the worker may take now."""
        if self.is_stalled(lane):
            return 0
        held = len(self._running.get(lane, ())) + self._queued[lane]
        return max(0, (1 if lane in self._on_probation else self.hold_limit) - held)

    def full(self) -> list[Lane]:
        known = set(self._running) | set(self._queued) | self._on_probation
        return sorted((lane for lane in known if self.room(lane) == 0), key=repr)

    # -- sending ----------------------------------------------------------------------------

    def is_stalled(self, lane: Lane) -> bool:
        running = self._running.get(lane)
        return running is not None and self._monotonic() - min(running) >= SLOW_AFTER_SECONDS

    def stalled(self) -> list[Lane]:
        return [lane for lane in self._running if self.is_stalled(lane)]

    def startable(self) -> int:
        """How many of the queued deliveries could start now, were threads free."""
        return sum(
            min(count, self._start_limit(lane) - len(self._running.get(lane, ())))
            for lane, count in self._queued.items()
            if self.can_start(lane)
        )

    def _start_limit(self, lane: Lane) -> int:
        return 1 if lane in self._on_probation else self._send_limit

    def can_start(self, lane: Lane) -> bool:
        return len(self._running.get(lane, ())) < self._start_limit(lane)

    def taken(self, lane: Lane) -> None:
        self._queued[lane] += 1

    def handed_back(self, lane: Lane) -> None:
        self._drop_queued(lane)

    def started(self, lane: Lane) -> float:
        """Returns the start time, which `finished` is given back."""
        self._drop_queued(lane)
        started_at = self._monotonic()
        self._running.setdefault(lane, []).append(started_at)
        return started_at

    def finished(self, lane: Lane, started_at: float, outcome: Outcome) -> None:
        running = self._running[lane]
        running.remove(started_at)
        if not running:
            del self._running[lane]
        if outcome.is_success:
            self._on_probation.discard(lane)
        elif outcome.duration_ms >= SLOW_AFTER_SECONDS * 1000:
            self._on_probation.add(lane)

    def _drop_queued(self, lane: Lane) -> None:
        self._queued[lane] -= 1
        if self._queued[lane] <= 0:
            del self._queued[lane]
