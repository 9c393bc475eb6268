"""`make bench`: Retour on PostgreSQL, one `retour serve` process, 8 concurrent clients.

1. recreate `retour_bench`, migrate, create a store and an API key;
2. bulk-load orders and 100k returns with SQL (seed.py);
3. start one `retour serve`, then with wrk: POST /api/v1/returns (every request on a fresh
   order) and GET /api/v1/returns/{id} (random stored returns);
4. stop the server and time the same rows written by plain psycopg 3 (the ceiling);
5. write results/latest.json and print the table.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

import ceiling
import database
import hotspots
import machine
import profiling
import report
import seed
import server
import wrk
from scenarios import ApiRun, Load
from stats import LoadResult

RESULTS = Path(__file__).resolve().parent / "results"
BUSY_WARNING_PCT = 15.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="retour_bench")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each run")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per run")
    parser.add_argument("--returns", type=int, default=100_000, help="returns stored for GET")
    parser.add_argument("--create-orders", type=int, default=50_000, help="orders for creates")
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
    facts = machine.facts()
    print(f"machine: {facts['nproc']} CPUs, {facts['cpu_model']}, {facts['memory']}", flush=True)
    busy = machine.busy_pct()
    if busy > BUSY_WARNING_PCT:
        print(f"WARNING: the machine is already {busy:.0f}% busy; results will be low", flush=True)
    db = database.recreate(args.database)
    tenant = database.prepare(db)
    print(f"loading {args.returns} returns and {args.create_orders} fresh orders:", flush=True)
    data = seed.load(db, tenant, args.returns, args.create_orders)
    load = Load(args.connections, args.warmup, args.duration)
    api, rows_written, profiles = serve_and_load(db, tenant, data, load, args)
    ceilings = [
        run_ceiling(db, tenant, data, load, as_retour=False),
        run_ceiling(db, tenant, data, load, as_retour=True),
    ]
    create, get = api
    document: dict[str, Any] = {
        "machine": {**facts, "busy_before_start_pct": busy},
        "postgresql": database.server_settings(db),
        "dataset": {
            "returns_stored": data.returns,
            "orders": data.last_order,
            "load_seconds": round(data.seconds, 1),
        },
        "load": {
            "connections": load.connections,
            "warmup_s": load.warmup,
            "run_s": load.seconds,
            "server_workers": args.workers,
        },
        "results": [result.to_json() for result in [*api, *ceilings]],
        "create_rows_written": rows_written,
        "verdicts": report.verdicts(create, get, ceilings[0]),
        "profiles": profiles,
        "total_seconds": round(time.monotonic() - started, 1),
    }
    report.write_json(RESULTS / "latest.json", document)
    print("\n" + report.table([*api, *ceilings]))
    print("\n" + report.backend_states([*api, *ceilings]))
    print(f"\nverdicts: {document['verdicts']}")
    print(f"create rows written: {rows_written} (wrk counted {create.requests} responses)")
    print(f"written {RESULTS / 'latest.json'} in {document['total_seconds']} s")
    return 0


def serve_and_load(
    db: database.BenchDatabase,
    tenant: database.Tenant,
    data: seed.Dataset,
    load: Load,
    args: argparse.Namespace,
) -> tuple[tuple[LoadResult, LoadResult], int, list[str]]:
    with server.running(db.url, RESULTS / "server.log", workers=args.workers) as srv:
        print(f"retour serve pid {srv.pid} at {srv.base_url}", flush=True)
        run = ApiRun(db, tenant, data, srv)
        run.create_returns("warm-up", load.warmup, load.connections)
        first = run.next_order
        create = run.create_returns("POST /api/v1/returns", load.seconds, load.connections)
        rows_written = run.rows_since(first)
        run.get_returns("warm-up", load.warmup, load.connections)
        get = run.get_returns("GET /api/v1/returns/{id}", load.seconds, load.connections)
        profiles = profile(run, srv.pid, load, args.profile_seconds) if args.profile else []
    return (create, get), rows_written, profiles


def profile(run: ApiRun, pid: int, load: Load, seconds: float) -> list[str]:
    written = []
    for kind in ("create", "get"):
        output = RESULTS / f"profile-{kind}.collapsed"
        go = run.create_returns if kind == "create" else run.get_returns
        print(f"profiling the server under {kind} load ({seconds:.0f} s)", flush=True)
        profiling.record(pid, seconds, output, lambda go=go: go("profile", seconds + 1, 8))
        summary = RESULTS / f"profile-{kind}.txt"
        summary.write_text(hotspots.summarise(output) + "\n")
        written.append(str(summary.relative_to(RESULTS.parent)))
    return written


def run_ceiling(
    db: database.BenchDatabase,
    tenant: database.Tenant,
    data: seed.Dataset,
    load: Load,
    as_retour: bool,
) -> LoadResult:
    label = "CR" if as_retour else "CP"
    print(f"ceiling ({'as Retour writes' if as_retour else 'plain'})", flush=True)
    plan = ceiling.Plan(db, tenant, range(1, data.returns + 1), as_retour, label)
    return ceiling.run(plan, load.connections, load.warmup, load.seconds)


if __name__ == "__main__":
    sys.exit(main())
