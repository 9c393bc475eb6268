"""The outbox worker: lease due deliveries, send them concurrently, record every attempt.

At least once: a delivery is leased (not locked in a transaction) while it is sent, so a
worker killed mid-send leaves a lease that lapses, and another worker sends it again with the
same delivery id (webhooks carry it as `webhook-id`, so receivers can drop the duplicate).
Two workers never hold the same delivery at once: claiming is `FOR UPDATE SKIP LOCKED` on
PostgreSQL and the writer lock on SQLite, and a worker that lost its lease records nothing.

A running worker also queues the staff's morning digests, polls the carriers for the scans
of parcels on their way (what `retour shipments refresh` does) and runs the store's periodic
chores (services/outbox/chores.py: expire returns and credit, settle refunds, prune photos),
each on a thread of its own, so a slow or failing carrier or chore holds up no e-mail or
webhook.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from retour.db.repositories.outbox import Job, LaneRoom, Outcome
from retour.db.unit_of_work import UnitOfWork
from retour.domain.retries import next_attempt_at, schedule_for
from retour.services.context import Actor, Clock
from retour.services.outbox.pipeline import Pipeline
from retour.services.outbox.senders import Sender, SendResult
from retour.webhooks.disabling import disable_failing_subscriptions

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from retour.services.outbox.chores import Chore
    from retour.shipping.registry import Carriers

log = logging.getLogger("retour.worker")
#: How often a running worker looks whether a store's morning digest is due.
DIGEST_CHECK_SECONDS = 300
#: The advisory lock a tracking poll holds (PostgreSQL), so that of all the workers one
#: polls at a time: "retourTP" as a 64-bit number.
TRACKING_POLL_LOCK = 0x7265746F75725450
#: Who the poll's scans and their events are recorded as, on the timeline.
TRACKING_POLL_ACTOR = Actor("system", "tracking poll")


@dataclass(frozen=True)
class WorkerSettings:
    batch_size: int = 100
    #: Longer than the slowest send (webhook timeout 10 s) with room to record.
    lease_seconds: int = 60
    #: Sends in flight at once, so one slow receiver does not hold up the others.
    threads: int = 16
    idle_sleep_seconds: float = 0.5
    #: Queue the staff's morning digest (notifications/digest.py); checked every few minutes.
    queues_digests: bool = True
    #: Seconds from the end of one tracking poll to the next (the first one runs at start);
    #: 0: no polling; None: as RETOUR_TRACKING_POLL_SECONDS says.
    tracking_poll_seconds: float | None = None


@dataclass(frozen=True)
class TrackingPoll:
    """What one tracking poll did."""

    asked: int
    new_scans: int
    failed: int


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Worker:
    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        senders: Mapping[str, Sender],
        clock: Clock,
        settings: WorkerSettings = WorkerSettings(),
        name: str | None = None,
        uniform: Callable[[float, float], float] = random.uniform,
        carriers: Carriers | None = None,
        chores: Sequence[Chore] = (),
    ) -> None:
        """`carriers`: those the tracking poll asks; None: as the settings say. `chores`:
        the periodic jobs `run` does on a thread of their own (none: cron does them)."""
        self._new_uow = new_uow
        self._senders = senders
        self._clock = clock
        self._settings = settings
        self.name = name or worker_name()
        self._uniform = uniform
        self._pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="retour-send")
        self._carriers = carriers
        self._next_poll_at: datetime | None = None
        self._chores = tuple(chores)

    @property
    def settings(self) -> WorkerSettings:
        return self._settings

    def run_once(self) -> int:
        """One batch: claim, send, record. Returns how many deliveries were attempted."""
        jobs = self.claim(self._settings.batch_size)
        if not jobs:
            return 0
        outcomes = list(self._pool.map(self._attempt, jobs))
        self.record(list(zip(jobs, outcomes, strict=True)))
        return len(jobs)

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set, as a pipeline (services/outbox/pipeline.py): a receiver
        that hangs holds up none of the other deliveries."""
        log.info("outbox worker %s started", self.name)
        poller = None
        if self.tracking_poll_seconds() > 0:
            poller = threading.Thread(
                target=self._poll_tracking_until, args=(stop,), name="retour-tracking", daemon=True
            )
            poller.start()
        chores = self._start_chores(stop)
        pipeline = Pipeline(self)
        next_digest_check = 0.0
        while not stop.is_set():
            try:
                if self._settings.queues_digests and time.monotonic() >= next_digest_check:
                    next_digest_check = time.monotonic() + DIGEST_CHECK_SECONDS
                    self.queue_due_digests()
                if not pipeline.step():
                    stop.wait(self._settings.idle_sleep_seconds)
            except Exception:  # a database hiccup must not end the worker
                log.exception("outbox worker %s: batch failed; retrying", self.name)
                stop.wait(self._settings.idle_sleep_seconds * 4)
        pipeline.drain()
        self._pool.shutdown(wait=True)
        if poller is not None:
            poller.join(timeout=30)  # a poll stops after the shipment it is asking about
        if chores is not None:
            chores.join(timeout=30)  # the chore in hand finishes; the next is not started
        log.info("outbox worker %s stopped", self.name)

    def _start_chores(self, stop: threading.Event) -> threading.Thread | None:
        if not self._chores:
            return None
        from retour.services.outbox.chores import ChoreRunner

        runner = ChoreRunner(self._chores, self._clock, self._engine)
        thread = threading.Thread(
            target=runner.run_until, args=(stop,), name="retour-chores", daemon=True
        )
        thread.start()
        return thread

    def _engine(self) -> Engine:
        with self._new_uow() as uow:
            return uow.session.get_bind().engine

    def queue_due_digests(self) -> None:
        from retour.notifications.digest import queue_due_digests

        for outcome in queue_due_digests(self._new_uow(), self._clock.now()):
            if outcome.result == "queued":
                log.info("daily digest queued for %s", outcome.store_slug)

    def tracking_poll_seconds(self) -> float:
        """Seconds between tracking polls; 0 (or less): none."""
        if self._settings.tracking_poll_seconds is not None:
            return self._settings.tracking_poll_seconds
        from retour.settings import get_settings

        return float(get_settings().tracking_poll_seconds)

    def poll_tracking_if_due(self, stop: threading.Event | None = None) -> bool:
        """Poll the carriers if the time has come (the first call: at once), and say whether
        it did. A poll that fails is logged; the next one is due all the same."""
        interval = self.tracking_poll_seconds()
        if interval <= 0:
            return False
        if self._next_poll_at is not None and self._clock.now() < self._next_poll_at:
            return False
        try:
            self.poll_tracking(stop)
        except Exception:  # a carrier or database failure must not end the worker
            log.exception("tracking poll failed; the next one in %g s", interval)
        finally:
            self._next_poll_at = self._clock.now() + timedelta(seconds=interval)
        return True

    def poll_tracking(self, stop: threading.Event | None = None) -> TrackingPoll | None:
        """Ask the carriers about every parcel on its way and record the new scans, as
        `retour shipments refresh` does; None when another worker is polling (PostgreSQL:
        one poll at a time across processes; SQLite: one process is assumed). Stops after
        the shipment in hand once `stop` is set."""
        from retour.db.locking import held_process_lock
        from retour.services.shipments import refresh_shipments, shipments_to_refresh

        uow = self._new_uow()
        with held_process_lock(self._engine(), TRACKING_POLL_LOCK) as held:
            if not held:
                log.info("tracking poll skipped: another worker is polling")
                return None
            todo = shipments_to_refresh(uow, self._clock)
            asked = new_scans = failed = 0
            for done in refresh_shipments(
                uow, self._poll_carriers(), todo, TRACKING_POLL_ACTOR, self._clock
            ):
                asked += 1
                new_scans += done.new_scans
                if done.error:
                    failed += 1
                    log.warning(
                        "tracking poll: %s %s %s: %s",
                        done.number, done.carrier, done.tracking_number, done.error,
                    )  # fmt: skip
                elif done.new_scans:
                    log.info(
                        "tracking poll: %s %s: %s (+%d)",
                        done.number, done.tracking_number, done.status, done.new_scans,
                    )  # fmt: skip
                if stop is not None and stop.is_set():
                    break
        log.info(
            "tracking poll: %d shipment(s) asked, %d new scan(s), %d failed",
            asked, new_scans, failed,
        )  # fmt: skip
        return TrackingPoll(asked, new_scans, failed)

    def _poll_carriers(self) -> Carriers:
        if self._carriers is None:
            from retour.settings import get_settings
            from retour.shipping.registry import carriers_from_settings

            self._carriers = carriers_from_settings(get_settings())
        return self._carriers

    def _poll_tracking_until(self, stop: threading.Event) -> None:
        """The tracking thread of `run`: look whether a poll is due, twice a second or so."""
        while not stop.is_set():
            self.poll_tracking_if_due(stop)
            stop.wait(self._settings.idle_sleep_seconds)

    def claim(self, limit: int, lanes: LaneRoom | None = None) -> list[Job]:
        """Lease up to `limit` due deliveries (within each lane's room) to this worker."""
        now = self._clock.now()
        lease_until = now + timedelta(seconds=self._settings.lease_seconds)
        with self._new_uow() as uow:
            jobs = uow.outbox.claim(now, lease_until, self.name, limit, lanes)
            uow.commit()
        return jobs

    def release(self, jobs: Sequence[Job]) -> None:
        """Give back leased deliveries not sent after all; they are due again at once."""
        with self._new_uow() as uow:
            uow.outbox.release([job.delivery_id for job in jobs], self.name)
            uow.commit()

    def submit(self, job: Job) -> Future[Outcome]:
        """Send on one of the worker's threads."""
        return self._pool.submit(self._attempt, job)

    def record(self, finished: Sequence[tuple[Job, Outcome]]) -> None:
        """Record the attempts, and switch off webhooks whose deliveries keep dying."""
        with self._new_uow() as uow:
            finished_at = self._clock.now()
            uow.outbox.finish([outcome for _, outcome in finished], self.name, finished_at)
            dead = [job for job, outcome in finished if outcome.status == "dead"]
            if dead:  # in the same transaction as the attempt that killed the delivery
                disable_failing_subscriptions(uow, dead, finished_at)
            uow.commit()

    def _attempt(self, job: Job) -> Outcome:
        started = time.perf_counter()
        sender = self._senders.get(job.channel)
        if sender is None:
            result = SendResult(False, error=f"no sender for channel {job.channel!r}")
        else:
            try:
                result = sender.send(job)
            except Exception as error:  # a sender bug is a failed attempt, not a dead worker
                log.exception("sending delivery %s failed", job.delivery_id)
                result = SendResult(False, error=f"{type(error).__name__}: {error}")
        duration_ms = round((time.perf_counter() - started) * 1000)
        return self._outcome(job, result, duration_ms, self._clock.now())

    def _outcome(self, job: Job, result: SendResult, duration_ms: int, now: datetime) -> Outcome:
        delivered = Outcome(
            delivery_id=job.delivery_id,
            store_id=job.store_id,
            is_success=result.is_success,
            duration_ms=duration_ms,
            status="delivered",
            status_code=result.status_code,
            error=result.error[:2000],
            response_excerpt=result.response_excerpt[:1000],
            message_id=result.message_id,
            artifact=result.artifact,
        )
        if result.is_success:
            return delivered
        retry_at = None
        if not result.is_permanent:
            schedule = schedule_for(job.channel)
            retry_at = next_attempt_at(schedule, job.attempts + 1, now, self._uniform)
        if retry_at is None:
            return replace(delivered, status="dead")
        return replace(delivered, status="pending", next_attempt_at=retry_at)
