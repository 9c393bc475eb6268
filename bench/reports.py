"""The analytics reports at scale: every `/api/v1/reports/…` endpoint and the CSV export.

.venv/bin/python bench/reports.py                         # 100k orders, SQLite and PostgreSQL
.venv/bin/python bench/reports.py --engine postgresql --orders 1000000

Each engine gets a fresh database (SQLite: a file in a temporary directory; PostgreSQL:
`retour_bench_reports` on 127.0.0.1, dropped and recreated), migrated and loaded by
reports_seed.py (the scale seed: COPY on PostgreSQL, batched inserts on SQLite). Then
`retour serve` (one process, no outbox worker) serves it and this script, as the only
client, asks each report for the last 30 days by return date and for the whole year by order
date, three times each (median and slowest of three), and
streams the whole year's CSV export: its rows per second and the server's peak RSS while it
streamed (the kernel's high-water mark, reset just before). Targets (issue 9, at a million
orders): each report ≤ 1 s; 400k CSV lines ≤ 20 s at ≤ 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from reports_seed import NOW, seed
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.unit_of_work import UnitOfWork
from retour.services.stores import create_api_key
from retour.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "reports.json"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_NAME = "retour_bench_reports"
METRICS = ("return-rate", "reasons", "reasons?by=sku", "resolutions", "refund-totals", "costs",
           "time-to-refund", "stage-times", "dispositions", "repeat-returners",
           "policy-decisions", "risk", "anomalies")  # fmt: skip
LAST_DAY = (NOW - timedelta(days=1)).date()
PERIODS = {
    "30 days, by return date": (LAST_DAY - timedelta(days=29), LAST_DAY, "return_date"),
    "365 days, by order date": (LAST_DAY - timedelta(days=364), LAST_DAY, "order_date"),
}
TARGET_REPORT_S, TARGET_CSV_MB = 1.0, 200.0


def database_url(name: str, workdir: Path) -> str:
    if name == "sqlite":
        return f"sqlite:///{workdir / 'reports.db'}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        ident = sql.Identifier(PG_NAME)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}"


def prepare(url: str, workdir: Path, orders: int) -> tuple[str, dict[str, Any]]:
    """Migrate, seed; the API key and what was loaded."""
    engine = create_db_engine(Settings(database_url=url, data_dir=workdir))
    upgrade(engine)
    started = time.perf_counter()
    _, return_lines = seed(engine, orders, lambda done: print(f"  {done} orders", end="\r"))
    seconds = time.perf_counter() - started
    key = create_api_key(UnitOfWork(create_session_factory(engine)), "bench", "bench", NOW)
    with engine.connect() as connection:
        returns = connection.exec_driver_sql("SELECT count(*) FROM returns").scalar_one()
    engine.dispose()
    loaded = {"orders": orders, "returns": returns, "return_lines": return_lines,
              "seed_seconds": round(seconds, 1)}  # fmt: skip
    print(f"  seeded {loaded} ")
    return key, loaded


def start_server(url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "RETOUR_DATABASE_URL": url, "RETOUR_DATA_DIR": str(workdir)}
    command = [str(Path(sys.executable).parent / "retour"), "serve", "--port", str(port),
               "--no-access-log", "--no-worker"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def time_reports(http: httpx.Client) -> list[dict[str, Any]]:
    timings = []
    for label, (first, last, cohort) in PERIODS.items():
        for metric in METRICS:
            path, _, extra = metric.partition("?")
            params = {"from": str(first), "to": str(last), "cohort": cohort}
            if extra:
                params.update([extra.split("=")])
            if path == "anomalies":
                del params["cohort"]
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                response = http.get(f"/reports/{path}", params=params)
                seconds.append(time.perf_counter() - started)
                response.raise_for_status()
            timings.append({"period": label, "metric": metric,
                            "median_ms": round(statistics.median(seconds) * 1000, 1),
                            "max_ms": round(max(seconds) * 1000, 1)})  # fmt: skip
    return timings


def time_csv(http: httpx.Client, pid: int, first: date, last: date) -> dict[str, Any]:
    # Reset the high-water mark so the peak is the export's (Linux ≥ 4.0, our own process).
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = memory_mb(pid, "VmRSS")
    params = {"from": str(first), "to": str(last), "cohort": "return_date"}
    lines = size = 0
    started = time.perf_counter()
    with http.stream("GET", "/reports/returns.csv", params=params) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
            size += len(chunk)
    seconds = time.perf_counter() - started
    rows = lines - 1
    return {"rows": rows, "megabytes": round(size / 2**20, 1), "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds), "server_rss_before_mb": round(before, 1),
            "server_peak_rss_mb": round(memory_mb(pid, "VmHWM"), 1)}  # fmt: skip


def run_engine(name: str, orders: int, workdir: Path) -> dict[str, Any]:
    print(f"{name}:", flush=True)
    url = database_url(name, workdir)
    key, loaded = prepare(url, workdir, orders)
    server, base = start_server(url, workdir)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=600) as http:
            reports = time_reports(http)
            first, last, _ = PERIODS["365 days, by order date"]
            export = time_csv(http, server.pid, first, last)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for timing in reports:
        print(f"  {timing['period']:<24} {timing['metric']:<18} median {timing['median_ms']:>8} ms"
              f"  max {timing['max_ms']:>8} ms")  # fmt: skip
    print(f"  CSV: {export}")
    return {"engine": name, "loaded": loaded, "reports": reports, "csv": export}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    with tempfile.TemporaryDirectory() as workdir:
        results = [run_engine(name, args.orders, Path(workdir)) for name in engines]
    args.output.write_text(json.dumps({
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "load_average": os.getloadavg(), "orders": args.orders,
        "results": results,
    }, indent=2) + "\n")  # fmt: skip
    print(f"written {args.output}")
    slowest = max(t["max_ms"] for result in results for t in result["reports"]) / 1000
    return 0 if slowest <= TARGET_REPORT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
