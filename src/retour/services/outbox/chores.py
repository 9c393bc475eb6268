"""The store's periodic chores, run by the workers so that a deployment needs no cron.

Each chore is what one cron-safe command does — `retour returns expire`, `retour refunds
settle`, `retour credit expire`, `retour portal prune-photos`, `retour shipments
void-expired` — on a schedule of its own. A
running worker (`retour worker`, or the one inside `retour serve` on SQLite) looks every half
minute which chores are due and runs them on a thread of their own, one after the other, so a
slow chore holds up no e-mail or webhook. Of all the workers, one runs a given chore at a time
(PostgreSQL: a session-level advisory lock per chore, db/locking.py); the others skip it until
it is due again. A chore that fails is logged, and is due again after its interval all the same.
`RETOUR_WORKER_CHORES=false` turns them off, for deployments that keep cron.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from retour.db.locking import held_process_lock
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import Actor, Clock

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from retour.payments.registry import PaymentProviders
    from retour.shipping.registry import Carriers

log = logging.getLogger("retour.chores")

#: How often the chores thread looks whether a chore is due.
CHORE_CHECK_SECONDS = 30.0
#: A pending refund untouched for this long is one a crash (or a provider's "pending") left
#: open; younger ones are most likely being settled by the request that made them.
REFUND_SETTLE_AGE = timedelta(minutes=5)
#: Who the chores' changes are recorded as, on timelines.
CHORES_ACTOR = Actor("system", "worker chores")


def _lock_key(tag: bytes) -> int:
    """A chore's advisory lock: eight ASCII bytes as one (positive) 64-bit number."""
    return int.from_bytes(tag, "big")


RETURNS_EXPIRE_LOCK = _lock_key(b"retourRX")
REFUNDS_SETTLE_LOCK = _lock_key(b"retourRS")
CREDIT_EXPIRE_LOCK = _lock_key(b"retourCX")
PHOTOS_PRUNE_LOCK = _lock_key(b"retourPP")
LABELS_VOID_LOCK = _lock_key(b"retourLV")


@dataclass(frozen=True)
class Chore:
    """One periodic job: `run` does it once and says what it did in a line for the log."""

    name: str
    every: timedelta
    lock_key: int
    run: Callable[[], str]


@dataclass(frozen=True)
class ChoreRun:
    """What became of one chore that was due."""

    name: str
    outcome: Literal["done", "skipped", "failed"]
    summary: str


class ChoreRunner:
    """Runs the chores that are due (each the first time it is asked, then every interval)."""

    def __init__(self, chores: Sequence[Chore], clock: Clock, engine: Callable[[], Engine]) -> None:
        """`engine`: where the chores' locks are taken (asked for at each run)."""
        self._chores = tuple(chores)
        self._clock = clock
        self._engine = engine
        self._next_at: dict[str, datetime] = {}

    @property
    def chores(self) -> tuple[Chore, ...]:
        return self._chores

    def run_due(self, stop: threading.Event | None = None) -> list[ChoreRun]:
        """Run every chore that is due, in order; stops between chores once `stop` is set."""
        runs = []
        for chore in self._chores:
            if stop is not None and stop.is_set():
                break
            due_at = self._next_at.get(chore.name)
            if due_at is not None and self._clock.now() < due_at:
                continue
            runs.append(self._run(chore))
        return runs

    def run_until(self, stop: threading.Event) -> None:
        """The chores thread of a worker: look what is due every half minute until `stop`."""
        while not stop.is_set():
            self.run_due(stop)
            stop.wait(CHORE_CHECK_SECONDS)

    def _run(self, chore: Chore) -> ChoreRun:
        try:
            with held_process_lock(self._engine(), chore.lock_key) as held:
                if not held:
                    log.info("%s skipped: another worker is running it", chore.name)
                    return ChoreRun(chore.name, "skipped", "another worker is running it")
                summary = chore.run()
            log.info("%s: %s", chore.name, summary)
            return ChoreRun(chore.name, "done", summary)
        except Exception as error:  # a chore's failure must not end the worker
            log.exception("%s failed; next run in %s", chore.name, chore.every)
            return ChoreRun(chore.name, "failed", f"{type(error).__name__}: {error}")
        finally:
            self._next_at[chore.name] = self._clock.now() + chore.every


def store_chores(
    new_uow: Callable[[], UnitOfWork],
    clock: Clock,
    providers: PaymentProviders,
    data_dir: Path,
    carriers: Carriers | None = None,
) -> tuple[Chore, ...]:
    """The chores every deployment needs, as the README's cron lines used to run them (the
    expired labels' only with the installation's `carriers`)."""
    from retour.services.portal.photo_cleanup import prune_unattached_photos
    from retour.services.refunds.settling import settle_pending_refunds
    from retour.services.returns import expire_overdue_returns
    from retour.services.shipments.expired_labels import void_expired_labels
    from retour.services.store_credit.expiry import expire_lapsed_credit

    def expire_returns() -> str:
        return f"{expire_overdue_returns(new_uow(), clock.now())} return(s) expired"

    def settle_refunds() -> str:
        settled = settle_pending_refunds(
            new_uow,
            providers,
            clock.now,
            CHORES_ACTOR,
            updated_before=clock.now() - REFUND_SETTLE_AGE,
        )
        succeeded = sum(1 for refund in settled if refund.status == "succeeded")
        return f"{len(settled)} pending refund(s) settled, {succeeded} succeeded"

    def expire_credit() -> str:
        run = expire_lapsed_credit(new_uow(), clock.now())
        return f"{run.accounts} account(s) had credit expired ({run.checked} checked)"

    def prune_photos() -> str:
        pruned = prune_unattached_photos(new_uow(), data_dir, clock.now())
        freed = sum(photo.byte_size for photo in pruned if photo.had_file)
        return f"{len(pruned)} unattached photo(s) deleted, {freed} bytes freed"

    def void_labels() -> str:
        assert carriers is not None
        run = void_expired_labels(new_uow, carriers, clock, CHORES_ACTOR)
        return f"{run.voided} expired label(s) voided, {run.failed} left for the next run"

    chores = (
        Chore("returns expire", timedelta(hours=1), RETURNS_EXPIRE_LOCK, expire_returns),
        Chore("refunds settle", timedelta(minutes=15), REFUNDS_SETTLE_LOCK, settle_refunds),
        Chore("credit expire", timedelta(hours=1), CREDIT_EXPIRE_LOCK, expire_credit),
        Chore("portal prune-photos", timedelta(hours=1), PHOTOS_PRUNE_LOCK, prune_photos),
    )
    if carriers is None:
        return chores
    return (
        *chores,
        Chore("labels void-expired", timedelta(hours=1), LABELS_VOID_LOCK, void_labels),
    )
