"""Server time of the analytics dashboard, `/backoffice/reports`, with a year of orders stored
(issue 9: ≤ 500 ms with a million orders and 250k returns on PostgreSQL; the same reported on
SQLite). Also how long the scale seed takes with the rollups' triggers on (≤ 5 minutes).

.venv/bin/python bench/dashboard.py --orders 1000000                  # PostgreSQL
.venv/bin/python bench/dashboard.py --orders 1000000 --engine sqlite
.venv/bin/python bench/dashboard.py --reuse     # again on the PostgreSQL database seeded before

The database is recreated (PostgreSQL: `retour_bench_dashboard` on 127.0.0.1; SQLite: a file in
a temporary directory), migrated and loaded by reports_seed.py (the scale seed: COPY on
PostgreSQL, batched inserts on SQLite, its triggers writing the rollups, folded at the end).
The app runs in-process behind portal.py's ASGI timer (the app's own time per request, page
rendering included); one owner is signed in; each page of PAGES is asked `--requests` times,
the first `--warmup` untimed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from database import BenchDatabase, recreate
from machine import busy_pct, facts
from portal import AppTimer
from reports_seed import NOW, seed
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import FixedClock
from retour.services.stores import create_staff_user
from retour.settings import Settings
from retour.web.app import create_app
from stats import percentile

RESULTS = Path(__file__).resolve().parent / "results"
PG_NAME = "retour_bench_dashboard"
SECRET = "dashboard-bench-" + "x" * 32
PASSWORD = "bench-password-1"
#: A new owner each run, so that `--reuse` can sign in to a database seeded before.
EMAIL = f"owner-{int(time.time())}@bench.test"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TARGET_MS = 500.0
LAST_DAY = (NOW - timedelta(days=1)).date()
PAGES = {
    "30 days, by return date (the default)": {},
    "30 days, by order date": {"cohort": "order_date"},
    "365 days, by order date": {
        "from": (LAST_DAY - timedelta(days=364)).isoformat(),
        "to": LAST_DAY.isoformat(),
        "cohort": "order_date",
    },
}


def database_url(engine_name: str, workdir: Path, reuse: bool) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{workdir / 'dashboard.db'}"
    return BenchDatabase(PG_NAME).url if reuse else recreate(PG_NAME).url


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    reuse = args.reuse and args.engine == "postgresql"
    url = database_url(args.engine, workdir, reuse)
    settings = Settings(env="test", database_url=url, data_dir=workdir, secret_key=SECRET)
    engine = create_db_engine(settings)
    upgrade(engine)
    started = time.perf_counter()
    seed_seconds = None
    if not reuse:
        seed(engine, args.orders, lambda done: print(f"  {done} orders", end="\r", flush=True))
        seed_seconds = round(time.perf_counter() - started, 1)
    with engine.connect() as connection:
        counts = {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in ("orders", "returns", "return_lines", "sales_day_tallies")
        }
    loaded = {**counts, "seed_seconds": seed_seconds}
    print(f"  loaded {loaded}")
    create_staff_user(
        UnitOfWork(create_session_factory(engine)), store_slug="bench",
        email=EMAIL, password=PASSWORD, role="owner", now=NOW,
    )  # fmt: skip
    engine.dispose()
    app = create_app(settings, clock=FixedClock(NOW))
    timer = AppTimer(app)
    timings: dict[str, list[tuple[float, int]]] = {}
    busy_before = busy_pct(1.0)
    try:
        with TestClient(timer, follow_redirects=False) as client:
            csrf = CSRF.search(client.get("/backoffice/login").text).group(1)  # type: ignore[union-attr]
            signed = client.post("/backoffice/login", data={
                "csrf": csrf, "email": EMAIL, "password": PASSWORD})  # fmt: skip
            assert signed.status_code == 303, signed.text[:500]
            for index in range(args.requests + args.warmup):
                for name, params in PAGES.items():
                    response = client.get("/backoffice/reports", params=params)
                    assert response.status_code == 200, (name, response.text[:500])
                    assert "Return rate" in response.text, response.text[:500]
                    if index >= args.warmup:
                        timings.setdefault(name, []).append((timer.last, timer.statements))
    finally:
        timer.close()
    rows = []
    for name, measured in timings.items():
        ordered = sorted(seconds * 1000 for seconds, _ in measured)
        p95 = percentile(ordered, 0.95)
        rows.append({"page": name, "requests": len(ordered),
                     "statements": max(count for _, count in measured),
                     "p50_ms": round(percentile(ordered, 0.50), 1), "p95_ms": round(p95, 1),
                     "max_ms": round(ordered[-1], 1), "target_ms": TARGET_MS,
                     "meets_target": p95 <= TARGET_MS})  # fmt: skip
        print(f"  {name:<40} p50 {rows[-1]['p50_ms']:>7} p95 {rows[-1]['p95_ms']:>7}"
              f" max {rows[-1]['max_ms']:>7} ms  SQL {rows[-1]['statements']}")  # fmt: skip
    return {"loaded": loaded, "machine_busy_before_pct": busy_before,
            "load_average_after": os.getloadavg(), "pages": rows}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds")
    parser.add_argument(
        "--reuse", action="store_true", help="PostgreSQL: time the database a run seeded before"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as workdir:
        result = run(args, Path(workdir))
    output = RESULTS / f"dashboard-{args.engine}.json"
    output.write_text(json.dumps({
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": facts(),
        "load_average_before": load_before, "orders": result["loaded"]["orders"],
        "result": result,
    }, indent=2) + "\n")  # fmt: skip
    print(f"written {output}")
    return 0 if all(row["meets_target"] for row in result["pages"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
