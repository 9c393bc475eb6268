"""Refund creation through the API: POST /api/v1/returns/{id}/refunds, 8 clients, PostgreSQL.

.venv/bin/python bench/refunds_api.py             # about 1 minute
.venv/bin/python bench/refunds_api.py --profile   # also py-spy the server (adds about 20 s)

1. recreate `retour_bench_refunds`, migrate, create a store and an API key (database.py);
2. bulk-load 2 × --refunds returns with seed.py: every second one (the even ids) is approved,
   two lines of one unit each; then pay each of their orders in full (seed.py's payment
   leaves out the lines' tax, so every refund would be capped by the payments left);
3. start one `retour serve` as run.py does, then with wrk (lua/create_refund.lua): a warm-up
   and the measured run, each request refunding the next approved return not yet refunded,
   method manual with a reference (a second refund of a return would be a 409);
4. write the section "create" of results/refunds.json and print the table.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import psycopg

import cpu
import database
import hotspots
import machine
import profiling
import refunds_results
import report
import seed
import server
import wrk
from refunds_results import RESULTS
from stats import LoadResult
from waits import WaitSampler

TARGET_PER_SECOND = 200.0
#: Approved returns have the even ids (seed.py), so the load script steps by two.
ID_STEP = 2
PAY_IN_FULL = """UPDATE order_payments p SET amount = paid.amount
FROM (
    SELECT o.id AS order_id, o.shipping_amount + o.shipping_tax + sum(l.quantity * l.unit_price
        - l.line_discount - l.order_discount_allocated + l.tax) AS amount
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    GROUP BY o.id
) paid
WHERE p.order_id = paid.order_id"""


@dataclass(frozen=True)
class Target:
    database: database.BenchDatabase
    tenant: database.Tenant
    server: server.Server
    last_return: int


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="retour_bench_refunds")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before the run")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--refunds", type=int, default=15_000, help="approved returns seeded")
    parser.add_argument(
        "--workers", type=int, default=2, help="retour serve processes (one per core)"
    )
    parser.add_argument("--profile", action="store_true", help="also py-spy the server")
    parser.add_argument("--profile-seconds", type=float, default=15.0)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk.ensure_installed()
    started = time.monotonic()
    document: dict[str, Any] = refunds_results.context()
    busy = machine.busy_pct()
    if busy > 15:
        print(f"WARNING: the machine is already {busy:.0f}% busy; results will be low", flush=True)
    document["machine"]["busy_before_start_pct"] = busy
    db = database.recreate(args.database)
    tenant = database.prepare(db)
    print(f"loading {2 * args.refunds} returns ({args.refunds} approved):", flush=True)
    data = seed.load(db, tenant, 2 * args.refunds, 0)
    pay_in_full(db)
    load_before = refunds_results.load_average()
    with server.running(db.url, RESULTS / "server-refunds.log", workers=args.workers) as srv:
        print(f"retour serve pid {srv.pid} at {srv.base_url}", flush=True)
        target = Target(db, tenant, srv, data.returns)
        refund_returns(target, "warm-up", ID_STEP, args.warmup, args.connections)
        first = next_unrefunded(db)
        result = refund_returns(
            target, "POST /returns/{id}/refunds", first, args.duration, args.connections
        )
        written = refunds_since(db, first)
        load_after = refunds_results.load_average()
        profiles = profile(target, args) if args.profile else []
    document.update(
        {
            "postgresql": database.server_settings(db),
            "dataset": {"returns": data.returns, "approved_returns": data.returns // ID_STEP},
            "load": {
                "connections": args.connections,
                "warmup_s": args.warmup,
                "server_workers": args.workers,
            },
            "target_per_second": TARGET_PER_SECOND,
            "result": result.to_json(),
            "refunds_written": written,
            "target_met": result.per_second >= TARGET_PER_SECOND and result.errors == 0,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "profiles": profiles,
            "total_seconds": round(time.monotonic() - started, 1),
        }
    )
    path = refunds_results.save("create", document)
    print("\n" + report.table([result]))
    print("\n" + report.backend_states([result]))
    print(f"\nrefunds written in the measured run: {written} (wrk counted {result.requests})")
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    print(f"target ≥ {TARGET_PER_SECOND:.0f}/s without errors met: {document['target_met']}")
    print(f"written {path} in {document['total_seconds']} s")
    return 0


def pay_in_full(db: database.BenchDatabase) -> None:
    step = time.perf_counter()
    with psycopg.connect(db.dsn) as conn:
        conn.execute(PAY_IN_FULL)
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) order_payments")
    print(f"  {'payments in full':<28} {time.perf_counter() - step:6.1f} s", flush=True)


def refund_returns(
    target: Target, name: str, first: int, seconds: float, connections: int
) -> LoadResult:
    """One wrk run from return `first` on; stops short if the approved returns run out."""
    if first > target.last_return:
        raise SystemExit("the refund benchmark ran out of approved returns: raise --refunds")
    arguments = [target.tenant.api_key, str(first), str(ID_STEP), "1"]
    return metered(
        target,
        lambda: wrk.run(
            name,
            target.server.base_url,
            "create_refund.lua",
            arguments,
            connections=connections,
            seconds=seconds,
        ),
    )


def metered(target: Target, load: Callable[[], LoadResult]) -> LoadResult:
    """Attach the CPU the server and its PostgreSQL backends spent per request."""
    groups = {
        "server": server.process_tree(target.server.pid),
        "postgres": backend_pids(target.database),
    }
    with WaitSampler(target.database) as sampler:
        before = cpu.snapshot(groups)
        result = load()
        after = cpu.snapshot(groups)
    usage = cpu.usage(before, after, result.requests)
    return replace(result, cpu=usage, backends=sampler.averages())


def backend_pids(db: database.BenchDatabase) -> list[int]:
    with psycopg.connect(db.dsn) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (db.name,),
        ).fetchall()
    return [row[0] for row in rows]


def next_unrefunded(db: database.BenchDatabase) -> int:
    time.sleep(0.5)  # let requests still in flight when wrk stopped commit
    with psycopg.connect(db.dsn) as conn:
        row = conn.execute("SELECT max(return_id) FROM refunds").fetchone()
    last = row[0] if row and row[0] is not None else 0
    return int(last) + ID_STEP


def refunds_since(db: database.BenchDatabase, first: int) -> dict[str, int]:
    time.sleep(0.5)
    with psycopg.connect(db.dsn) as conn:
        row = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),
                count(DISTINCT return_id)
            FROM refunds WHERE return_id >= %s""",
            (first,),
        ).fetchone()
    assert row is not None
    return {"refunds": row[0], "succeeded": row[1], "returns": row[2]}


def profile(target: Target, args: argparse.Namespace) -> list[str]:
    output = RESULTS / "profile-refund.collapsed"
    seconds = args.profile_seconds
    print(f"profiling the server under refund load ({seconds:.0f} s)", flush=True)
    first = next_unrefunded(target.database)
    profiling.record(
        target.server.pid,
        seconds,
        output,
        lambda: refund_returns(target, "profile", first, seconds + 1, args.connections),
    )
    summary = RESULTS / "profile-refund.txt"
    summary.write_text(hotspots.summarise(output) + "\n")
    return [str(summary.relative_to(RESULTS.parent))]


if __name__ == "__main__":
    sys.exit(main())
