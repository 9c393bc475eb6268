"""What-if: re-decide a store's historical returns under a draft policy and under the live
one, and report the differences. Reads the history a chunk of returns at a time (a few
statements per chunk, each in its own short transaction), so memory stays flat however long
the history is.

As history does not record everything a policy may ask, each return is judged as if its
shopper had added the photos and comments a rule requires (Retour keeps no photos yet), with
today's order, fulfilment and catalogue facts, the customer's record as it stood when the
return was asked for, and today's store return rate.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from retour.db.repositories.policy_facts import CustomerOrder, CustomerReturn, OrderFacts
from retour.db.repositories.policy_history import PastLine, PastReturnRequest
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy import CandidateLine, Policy, evaluate
from retour.services.policy.inputs import customer_history, order_context, store_return_rate
from retour.services.policy.live import ActivePolicy, draft_policy, policy_in_force
from retour.services.policy.simulation_report import (
    AskedLine,
    ReturnOutcome,
    SimulationReport,
    return_outcome,
)

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

    def as_json(self) -> dict[str, Any]:
        return {
            "live_version": self.live_version,
            "since": self.since.isoformat() if self.since else None,
            "returns_total": self.returns_total,
            **self.report.as_json(),
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


def simulate_policy(
    uow: UnitOfWork,
    store_id: int,
    draft: Any,
    since: datetime | None = None,
    *,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
    pointer_prefix: str = "",
    processes: int = 1,
) -> SimulationResult:
    """Judge every return asked for since `since` under the draft and the live policy.

    With `processes` > 1 (and a long history) the customers are shared out between that many
    processes, each reading and judging its own; the report is the same either way.
    """
    proposed = draft_policy(draft, pointer_prefix)
    start = since or _EPOCH
    with uow:
        live = policy_in_force(uow, store_id)
        total = uow.policies.history.count(store_id, start)
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
        report = _simulate_in_processes(url, job, bounds, progress, total)
    assert live.version is not None
    return SimulationResult(live.version, since, total, report)


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
    """The customers from `after` to `before_email`, a chunk of returns at a time."""
    report = SimulationReport()
    done = 0
    while True:
        chunk = _read_chunk(uow, job, after, before_email)
        if not chunk.returns:
            return report
        for past in chunk.returns:
            _judge(report, chunk, past, job)
        done += len(chunk.returns)
        last = chunk.returns[-1]
        after = (last.customer_email, last.return_id)
        on_chunk(done)


def _simulate_in_processes(
    url: str, job: _Job, bounds: list[str], progress: Progress | None, total: int
) -> SimulationReport:
    """One process per run of customers; started fresh (spawn), so that nothing of this
    process (threads, pooled connections) is copied into them."""
    ranges = list(zip([None, *bounds], [*bounds, None], strict=True))
    context = multiprocessing.get_context("spawn")
    counters = context.Array("q", len(ranges), lock=False)
    report = SimulationReport()
    with ProcessPoolExecutor(
        len(ranges), mp_context=context, initializer=_share, initargs=(counters,)
    ) as pool:
        futures = [
            pool.submit(_simulate_range, url, job, index, lower, upper)
            for index, (lower, upper) in enumerate(ranges)
        ]
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


@dataclass(frozen=True)
class _Chunk:
    returns: list[PastReturnRequest]
    orders: dict[int, OrderFacts]
    lines: dict[int, list[tuple[int, PastLine]]]
    customer_orders: dict[str, list[CustomerOrder]]
    customer_returns: dict[str, list[CustomerReturn]]


def _read_chunk(
    uow: UnitOfWork, job: _Job, after: tuple[str, int], before_email: str | None
) -> _Chunk:
    """The next returns and everything needed to judge them: five statements."""
    with uow:
        history, facts = uow.policies.history, uow.policies.facts
        returns = history.returns_after(
            job.store_id, job.since, after, job.chunk_size, before_email
        )
        order_ids = {past.order_id for past in returns}
        emails = {past.customer_email for past in returns}
        return _Chunk(
            returns=returns,
            orders=facts.orders(job.store_id, order_ids),
            lines=history.lines_by_return(job.store_id, order_ids),
            customer_orders=facts.customer_orders(job.store_id, emails),
            customer_returns=facts.customer_returns(job.store_id, emails),
        )


def _judge(report: SimulationReport, chunk: _Chunk, past: PastReturnRequest, job: _Job) -> None:
    facts = chunk.orders.get(past.order_id)
    order_lines = chunk.lines.get(past.order_id, [])
    own = [line for return_id, line in order_lines
           if return_id == past.return_id and line.requested > 0]  # fmt: skip
    currencies = {job.live.policy.currency, job.draft.policy.currency}
    if facts is None or not own or currencies != {facts.currency}:
        report.returns_skipped += 1
        return
    held = [(line.order_line_id, line.held) for return_id, line in order_lines
            if return_id < past.return_id]  # fmt: skip
    order = order_context(facts, held, store_return_rate_bp=job.store_rate_bp)
    history = customer_history(
        chunk.customer_orders.get(past.customer_email, []),
        chunk.customer_returns.get(past.customer_email, []),
        as_of=past.requested_at,
        exclude_return_id=past.return_id,
    )
    candidates = [
        CandidateLine(
            order_line_id=line.order_line_id,
            quantity=line.requested,
            reason_code=line.reason_code,
            is_merchant_fault=job.merchant_fault.get(line.reason_code, False),
            comment=line.reason_note or _COMMENT,
            photo_count=1,
        )
        for line in own
    ]
    asked = [AskedLine(Resolution(line.resolution)) for line in own]
    resolution, method = Resolution(past.resolution), ReturnMethod(past.return_method)

    def outcome(policy: Policy) -> ReturnOutcome:
        evaluation = evaluate(policy, order, candidates, history, past.requested_at)
        return return_outcome(evaluation, asked, resolution, method)

    report.add(past.return_id, past.number, outcome(job.live.policy), outcome(job.draft.policy))
