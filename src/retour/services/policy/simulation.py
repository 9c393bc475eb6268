"""What-if: re-decide a store's historical returns under a draft policy and under the live
one, and report the differences. Reads the history a chunk of returns at a time (a few
statements per chunk, each in its own short transaction), so memory stays flat however long
the history is.

As history does not record everything a policy may ask, each return is judged as if its
shopper had added the photos and comments a rule requires (Retour keeps no photos yet), with
today's order, fulfilment and catalogue facts, the customer's record as it stood when the
return was asked for, and today's store return rate. The lines of orders that no return
names are then asked back as simulation_unreturned.py says.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from retour.db.repositories.policy_history import PastReturnRequest
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy import CandidateLine, evaluate_prepared, prepare_request
from retour.services.policy.inputs import order_context, store_return_rate
from retour.services.policy.live import ActivePolicy, draft_policy, policy_in_force
from retour.services.policy.simulation_history import (
    CustomerRecord,
    HistoryChunk,
    read_chunk,
)
from retour.services.policy.simulation_history import read_ahead as _read_ahead
from retour.services.policy.simulation_report import SimulationReport, return_outcome
from retour.services.policy.simulation_unreturned import (
    count_unreturned_lines,
    simulate_unreturned,
)
from retour.services.policy.simulation_unreturned_report import UnreturnedReport

CHUNK_SIZE = 1000
#: Below this many returns one process is quicker than starting others.
PARALLEL_FROM = 5000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Stands in for a comment a rule requires that history did not record.
_COMMENT = "(not recorded)"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationResult:
    #: The live version compared with (0: the built-in policy).
    live_version: int
    since: datetime | None
    returns_total: int
    report: SimulationReport
    #: The fulfilled lines of orders placed in range that no return names.
    unreturned: UnreturnedReport

    def as_json(self) -> dict[str, Any]:
        return {
            "live_version": self.live_version,
            "since": self.since.isoformat() if self.since else None,
            "returns_total": self.returns_total,
            **self.report.as_json(),
            "unreturned_lines": self.unreturned.as_json(),
        }


@dataclass(frozen=True)
class _Job:
    """What every part of a simulation needs, sent as is to other processes."""

    store_id: int
    since: datetime
    live: ActivePolicy
    draft: ActivePolicy
    merchant_fault: Mapping[str, bool]
    store_rate_bp: int | None
    chunk_size: int

    @property
    def currencies(self) -> set[str]:
        return {self.live.policy.currency, self.draft.policy.currency}


def simulate_policy(
    uow: UnitOfWork,
    store_id: int,
    draft: Any,
    since: datetime | None = None,
    *,
    progress: Progress | None = None,
    lines_progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
    pointer_prefix: str = "",
    processes: int = 1,
) -> SimulationResult:
    """Judge every return asked for since `since` under the draft and the live policy, then
    every never-returned line of the orders placed since then (simulation_unreturned.py);
    `progress` and `lines_progress` are told (done, total) of each.

    With `processes` > 1 (and a long history) the customers of the returns are shared out
    between that many processes, each reading and judging its own; the report is the same
    either way. The never-returned lines are judged by this process.
    """
    proposed = draft_policy(draft, pointer_prefix)
    start = since or _EPOCH
    with uow:
        live = policy_in_force(uow, store_id)
        total = uow.policies.history.count(store_id, start)
        lines_total = count_unreturned_lines(uow, store_id, start)
        merchant_fault = uow.policies.history.merchant_fault_by_reason(store_id)
        needs_rate = any(active.policy.risk.serial_returner_weight for active in (live, proposed))
        rate = store_return_rate(uow, store_id) if needs_rate else None
        parts = processes if total >= PARALLEL_FROM else 1
        bounds = uow.policies.history.email_bounds(store_id, start, total, parts)
        url = uow.session.get_bind().engine.url.render_as_string(hide_password=False)
    job = _Job(store_id, start, live, proposed, merchant_fault, rate, chunk_size)
    if progress is not None:
        progress(0, total)
    if not bounds:
        report = _simulate_part(uow, job, ("", 0), None, lambda done: _tell(progress, done, total))
    else:
        report = _simulate_in_processes(uow, url, job, bounds, progress, total)
    _tell(lines_progress, 0, lines_total)
    unreturned = simulate_unreturned(
        uow, store_id, start, live.policy, proposed.policy, rate, chunk_size,
        lambda done: _tell(lines_progress, done, lines_total),
    )  # fmt: skip
    unreturned.lines_total = lines_total
    assert live.version is not None
    return SimulationResult(live.version, since, total, report, unreturned)


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _simulate_part(
    uow: UnitOfWork,
    job: _Job,
    after: tuple[str, int],
    before_email: str | None,
    on_chunk: Callable[[int], None],
) -> SimulationReport:
    """The customers from `after` to `before_email`, a chunk of returns at a time; the next
    chunk is read while this one is judged."""
    report = SimulationReport()
    done = 0
    for chunk in _read_ahead(_chunks(uow, job, after, before_email)):
        for past in chunk.returns:
            _judge(report, chunk, past, job)
        done += len(chunk.returns)
        on_chunk(done)
    return report


def _chunks(
    uow: UnitOfWork, job: _Job, after: tuple[str, int], before_email: str | None
) -> Iterator[HistoryChunk]:
    while True:
        chunk = read_chunk(uow, job.store_id, job.since, after, job.chunk_size, before_email)
        if not chunk.returns:
            return
        yield chunk
        last = chunk.returns[-1]
        after = (last.customer_email, last.return_id)


def _simulate_in_processes(
    uow: UnitOfWork,
    url: str,
    job: _Job,
    bounds: list[str],
    progress: Progress | None,
    total: int,
) -> SimulationReport:
    """One process per run of customers, this one taking the first run itself; the others
    are started fresh (spawn), so that nothing of this process (threads, pooled connections)
    is copied into them."""
    ranges = list(zip([None, *bounds], [*bounds, None], strict=True))
    context = multiprocessing.get_context("spawn")
    counters = context.Array("q", len(ranges), lock=False)
    report = SimulationReport()
    with ProcessPoolExecutor(
        len(ranges) - 1, mp_context=context, initializer=_share, initargs=(counters,)
    ) as pool:
        futures = [
            pool.submit(_simulate_range, url, job, index, lower, upper)
            for index, (lower, upper) in enumerate(ranges)
            if index > 0
        ]

        def on_chunk(done: int) -> None:
            counters[0] = done
            _tell(progress, sum(counters), total)

        report.merge(_simulate_part(uow, job, ("", 0), ranges[0][1], on_chunk))
        pending = set(futures)
        while pending:
            _finished, pending = wait(pending, timeout=0.25)
            _tell(progress, sum(counters), total)
        for future in futures:
            report.merge(future.result())
    _tell(progress, total, total)
    return report


_counters: Any = None


def _share(counters: Any) -> None:
    global _counters
    _counters = counters


def _simulate_range(
    url: str, job: _Job, index: int, lower: str | None, upper: str | None
) -> SimulationReport:
    """In another process: one run of customers, counting progress in the shared array."""
    from retour.db.engine import create_db_engine, create_session_factory
    from retour.settings import Settings

    engine = create_db_engine(Settings(database_url=url))
    try:
        uow = UnitOfWork(create_session_factory(engine))

        def on_chunk(done: int) -> None:
            _counters[index] = done

        return _simulate_part(uow, job, (lower or "", 0), upper, on_chunk)
    finally:
        engine.dispose()


def _judge(
    report: SimulationReport, chunk: HistoryChunk, past: PastReturnRequest, job: _Job
) -> None:
    facts = chunk.orders.get(past.order_id)
    order_lines = chunk.lines.get(past.order_id, [])
    own = [line for return_id, line in order_lines
           if return_id == past.return_id and line.requested > 0]  # fmt: skip
    if facts is None or not own or job.currencies != {facts.currency}:
        report.returns_skipped += 1
        return
    held = [(line.order_line_id, line.held) for return_id, line in order_lines
            if return_id < past.return_id]  # fmt: skip
    order = order_context(facts, held, store_return_rate_bp=job.store_rate_bp)
    record = chunk.customers.get(past.customer_email) or CustomerRecord([], [])
    history = record.as_of(past.requested_at, past.return_id)
    merchant_fault = job.merchant_fault
    candidates = [
        CandidateLine(
            order_line_id=line.order_line_id,
            quantity=line.requested,
            reason_code=line.reason_code,
            is_merchant_fault=merchant_fault.get(line.reason_code, False),
            comment=line.reason_note or _COMMENT,
            photo_count=1,
        )
        for line in own
    ]
    asked = [Resolution(line.resolution) for line in own]
    resolution, method = Resolution(past.resolution), ReturnMethod(past.return_method)
    # Judged under both policies: what does not depend on the policy is worked out once.
    request = prepare_request(order, candidates, history, past.requested_at)
    live = return_outcome(evaluate_prepared(job.live.policy, request), asked, resolution, method)
    draft = return_outcome(evaluate_prepared(job.draft.policy, request), asked, resolution, method)
    report.add(past.return_id, past.number, live, draft)
