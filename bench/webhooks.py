"""Webhook deliveries: `retour worker` processes on PostgreSQL sending to a receiver on loopback.

.venv/bin/python bench/webhooks.py                  # about 1.5 minutes
.venv/bin/python bench/webhooks.py --backlog 5000   # quicker

1. recreate `retour_bench_webhooks`, migrate, make a store (database.py) and one webhook
   subscription (`*`) to a receiver on 127.0.0.1 running in this process
   (tests/support/webhook_receiver.py: threaded, keep-alive, answers 200 "ok");
2. backlog, for 1 and then 2 workers: write --backlog events (one delivery each) with
   Retour's own event repository, start the `retour worker` processes (16 threads, batches
   of 100, as by default), and time the deliveries from the first receipt to the last;
3. steady: with 2 workers running, write events at --rate per second (transactions of 10)
   for --duration seconds; latency = when the receiver got the request − the event's time;
4. stop the workers, check a sample of signatures with `standardwebhooks`, write
   results/webhooks.json and print the table.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

import cpu
import database
import machine
from refunds_results import context, load_average
from stats import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.webhook_receiver import Received, WebhookReceiver, verified  # noqa: E402

from retour.db.engine import create_db_engine, create_session_factory  # noqa: E402
from retour.db.unit_of_work import UnitOfWork  # noqa: E402
from retour.domain.events import DomainEvent  # noqa: E402
from retour.settings import Settings  # noqa: E402
from retour.webhooks.subscriptions import UrlPolicy, create_subscription  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "webhooks.json"
EVENT = "order.updated"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="retour_bench_webhooks")
    parser.add_argument("--backlog", type=int, default=20_000, help="events per backlog run")
    parser.add_argument("--rate", type=float, default=300.0, help="events/s in the steady run")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of steady run")
    parser.add_argument("--threads", type=int, default=16, help="each worker's send threads")
    return parser.parse_args()


class Bench:
    def __init__(self, db: database.BenchDatabase, store_id: int, receiver: WebhookReceiver):
        self.db = db
        self.store_id = store_id
        self.receiver = receiver
        session_factory = create_session_factory(create_db_engine(Settings(database_url=db.url)))
        self.new_uow = lambda: UnitOfWork(session_factory)

    def write_events(self, count: int, phase: str, per_transaction: int = 1000) -> None:
        """`count` events through Retour's event repository (which fans them out)."""
        for start in range(0, count, per_transaction):
            size = min(per_transaction, count - start)
            with self.new_uow() as uow:
                uow.events.append(
                    [DomainEvent(EVENT, {"phase": phase, "n": start + n}) for n in range(size)],
                    store_id=self.store_id,
                    actor="bench",
                    occurred_at=datetime.now(UTC),
                )
                uow.commit()

    def workers(self, count: int, threads: int) -> list[subprocess.Popen[bytes]]:
        env = {
            **os.environ,
            "RETOUR_DATABASE_URL": self.db.url,
            "RETOUR_WEBHOOKS_ALLOW_PRIVATE": "true",
            "RETOUR_OUTBOX_IN_PROCESS": "false",
        }
        retour = Path(sys.executable).parent / "retour"
        log = (ROOT / "bench" / "results" / "worker-webhooks.log").open("ab")
        return [
            subprocess.Popen(
                [str(retour), "worker", "--threads", str(threads)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for _ in range(count)
        ]

    def backend_pids(self) -> list[int]:
        with psycopg.connect(self.db.dsn) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.db.name,),
            ).fetchall()
        return [row[0] for row in rows]

    def wait_for(self, first: int, count: int, timeout: float) -> list[Received]:
        """The `count` requests that arrive after the first `first` ones."""
        self.receiver.wait_for_count(first + count, timeout)
        return self.receiver.received[first : first + count]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def backlog_run(bench: Bench, workers: int, events: int, threads: int) -> dict[str, Any]:
    bench.write_events(events, f"backlog-{workers}")
    already = bench.receiver.count()
    started = time.time()
    processes = bench.workers(workers, threads)
    try:
        bench.receiver.wait_for_count(already + 1, timeout=30)
        groups = {"workers": [p.pid for p in processes], "postgres": bench.backend_pids()}
        before = cpu.snapshot(groups)
        received = bench.wait_for(already, events, timeout=600)
        after = cpu.snapshot(groups)
    finally:
        stop(processes)
    first = min(r.started_at for r in received)
    last = max(r.finished_at for r in received)
    return {
        "workers": workers,
        "deliveries": len(received),
        "distinct_webhook_ids": len({r.webhook_id for r in received}),
        "non_2xx": sum(1 for r in received if r.status >= 300),
        "seconds_first_to_last": round(last - first, 2),
        "deliveries_per_second": round(len(received) / (last - first), 1),
        "seconds_from_worker_start": round(last - started, 2),
        "cpu": cpu.usage(before, after, len(received)),
    }


def steady_run(bench: Bench, rate: float, duration: float, threads: int) -> dict[str, Any]:
    per_transaction = 10
    transactions = int(rate * duration / per_transaction)
    interval = per_transaction / rate
    already = bench.receiver.count()
    processes = bench.workers(2, threads)
    time.sleep(3)  # started and polling
    try:
        groups = {"workers": [p.pid for p in processes], "postgres": bench.backend_pids()}
        before = cpu.snapshot(groups)
        begin = time.monotonic()
        for index in range(transactions):
            pause = begin + index * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            bench.write_events(per_transaction, "steady", per_transaction)
        written = time.monotonic() - begin
        received = bench.wait_for(already, transactions * per_transaction, timeout=120)
        after = cpu.snapshot(groups)
    finally:
        stop(processes)
    latencies = sorted(
        (r.started_at - _event_time(r)) * 1000 for r in received
    )  # ms, event committed → request arrived
    return {
        "workers": 2,
        "events_per_second_offered": round(transactions * per_transaction / written, 1),
        "seconds": round(written, 1),
        "deliveries": len(received),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 1),
            "p90": round(percentile(latencies, 0.90), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "max": round(latencies[-1], 1),
        },
        "cpu": cpu.usage(before, after, len(received)),
    }


def _event_time(received: Received) -> float:
    document = json.loads(received.body)
    return datetime.fromisoformat(document["timestamp"].replace("Z", "+00:00")).timestamp()


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    facts = machine.facts()
    print(f"machine: {facts['nproc']} CPUs, {facts['cpu_model']}, {facts['memory']}", flush=True)
    busy = machine.busy_pct()
    db = database.recreate(args.database)
    tenant = database.prepare(db)
    (ROOT / "bench" / "results" / "worker-webhooks.log").write_bytes(b"")
    document: dict[str, Any] = {
        **context(),
        "busy_before_start_pct": busy,
        "load_average_before": load_average(),
        "postgresql": database.server_settings(db),
    }
    with WebhookReceiver() as receiver:
        bench = Bench(db, tenant.store_id, receiver)
        secret = create_subscription(
            bench.new_uow(), tenant.store_id, receiver.url("/hook"), ["*"], "bench",
            UrlPolicy(allow_private=True), datetime.now(UTC),
        ).secret  # fmt: skip
        runs = []
        for workers in (1, 2):
            print(f"backlog of {args.backlog} with {workers} worker(s)…", flush=True)
            runs.append(backlog_run(bench, workers, args.backlog, args.threads))
            print(f"  {runs[-1]['deliveries_per_second']}/s", flush=True)
        print(f"steady {args.rate}/s for {args.duration} s with 2 workers…", flush=True)
        steady = steady_run(bench, args.rate, args.duration, args.threads)
        sample = receiver.received[:: max(1, receiver.count() // 200)]
        for request in sample:
            verified(request, secret)  # raises if a signature does not check out
    document.update(
        {
            "backlog": runs,
            "steady": steady,
            "signatures_checked": len(sample),
            "load_average_after": load_average(),
        }
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print_table(document)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def print_table(document: dict[str, Any]) -> None:
    print()
    print("| run | workers | deliveries | per second | worker CPU ms/each | PG CPU ms/each |")
    print("|-----|--------:|-----------:|-----------:|-------------------:|---------------:|")
    for run in document["backlog"]:
        usage = run["cpu"]
        print(
            f"| backlog | {run['workers']} | {run['deliveries']:,} | "
            f"{run['deliveries_per_second']:,.1f} | {usage['workers_cpu_ms_per_request']} | "
            f"{usage['postgres_cpu_ms_per_request']} |"
        )
    steady = document["steady"]
    latency = steady["latency_ms"]
    print(
        f"\nsteady {steady['events_per_second_offered']}/s, 2 workers: latency event → receipt "
        f"p50 {latency['p50']} ms, p90 {latency['p90']} ms, p99 {latency['p99']} ms, "
        f"max {latency['max']} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
