"""`retour worker`'s main loop: deliveries flow from claims through the send threads to the
record, without waiting for a batch's slowest send.

Claims take a batch when the worker's queue runs low; each free thread starts the oldest
queued delivery whose lane may start another (services/outbox/lanes.py); finished sends are
recorded together every FLUSH_SECONDS or batch. A stalled lane's queued deliveries are handed
back at once, so a receiver that hangs holds up nothing but its own deliveries.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import TYPE_CHECKING

from retour.db.repositories.outbox import Job, Outcome, lane_of
from retour.services.outbox.lanes import Lanes

if TYPE_CHECKING:
    from retour.services.outbox.worker import Worker

#: How long finished sends may wait to be recorded together.
FLUSH_SECONDS = 0.05
#: How often a full queue whose lanes are busy is topped up with other lanes' deliveries.
TOP_UP_SECONDS = 0.1


class Pipeline:
    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        settings = worker.settings
        self._threads = settings.threads
        self._batch_size = settings.batch_size
        self._idle_sleep = settings.idle_sleep_seconds
        self._lanes = Lanes(self._threads, self._batch_size)
        self._queue: deque[Job] = deque()
        self._in_flight: dict[Future[Outcome], tuple[Job, float]] = {}
        self._finished: list[tuple[Job, Outcome]] = []
        self._first_finished_at = 0.0
        self._next_claim_at = 0.0
        self._last_claim_at = 0.0

    def step(self) -> bool:
        """Claim, hand back, start, collect, record. False when there was nothing to do
        (the caller sleeps a little)."""
        claimed = self._claim()
        self._hand_back_stalled()
        started = self._start()
        collected = self._collect(timeout=FLUSH_SECONDS if self._in_flight else 0)
        if self._finished and (
            not self._in_flight
            or len(self._finished) >= self._batch_size
            or time.monotonic() - self._first_finished_at >= FLUSH_SECONDS
        ):
            self._flush()
        return bool(claimed or started or collected or self._in_flight or self._queue)

    def drain(self) -> None:
        """Stop taking work: hand back what has not started, let the rest finish, record."""
        self._hand_back(list(self._queue))
        while self._in_flight:
            self._collect(timeout=None)
        self._flush()

    def _claim(self) -> int:
        now = time.monotonic()
        if len(self._queue) >= self._threads and (
            self._lanes.startable() >= self._threads or now - self._last_claim_at < TOP_UP_SECONDS
        ):
            # Enough queued for every thread; if much of it must wait for its lane, top up
            # with other lanes' deliveries now and then, not after every send.
            return 0
        if now < self._next_claim_at:
            return 0  # the last claim found nothing due
        wanted = self._batch_size - len(self._queue)
        if wanted <= 0:
            return 0
        self._last_claim_at = now
        jobs = self._worker.claim(wanted, self._lanes)
        # Nothing due (or only in lanes with no room): look again after a pause, or sooner
        # when a stalled lane's deliveries are handed back.
        self._next_claim_at = 0.0 if jobs else time.monotonic() + self._idle_sleep
        for job in jobs:
            self._lanes.taken(_lane(job))
        self._queue.extend(jobs)
        return len(jobs)

    def _hand_back_stalled(self) -> None:
        lanes = set(self._lanes.stalled())
        if not lanes:
            return
        stalled = [job for job in self._queue if _lane(job) in lanes]
        if stalled:
            self._hand_back(stalled)
            self._next_claim_at = 0.0  # what the other lanes have due can be claimed now

    def _hand_back(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        handed = {job.delivery_id for job in jobs}
        self._queue = deque(job for job in self._queue if job.delivery_id not in handed)
        for job in jobs:
            self._lanes.handed_back(_lane(job))
        self._worker.release(jobs)

    def _start(self) -> int:
        started = 0
        free = self._threads - len(self._in_flight)
        if not free or not self._queue:
            return 0
        waiting: deque[Job] = deque()
        while self._queue and started < free:
            job = self._queue.popleft()
            lane = _lane(job)
            if not self._lanes.can_start(lane):
                waiting.append(job)
                continue
            started_at = self._lanes.started(lane)
            self._in_flight[self._worker.submit(job)] = (job, started_at)
            started += 1
        waiting.extend(self._queue)
        self._queue = waiting
        return started

    def _collect(self, timeout: float | None) -> int:
        """Take the sends that finished, waiting up to `timeout` for one; how many."""
        if not self._in_flight:
            return 0
        done, _ = wait(self._in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            job, started_at = self._in_flight.pop(future)
            outcome = future.result()
            self._lanes.finished(_lane(job), started_at, outcome)
            if not self._finished:
                self._first_finished_at = time.monotonic()
            self._finished.append((job, outcome))
        return len(done)

    def _flush(self) -> None:
        if self._finished:
            # Kept until recorded: if the database is away, the next step tries again.
            self._worker.record(self._finished)
            self._finished = []


def _lane(job: Job) -> tuple[str, int | None]:
    return lane_of(job.channel, job.subscription_id)
