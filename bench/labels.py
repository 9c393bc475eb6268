"""Built-in labels: PDF labels per second per core, and a label request through the API.

.venv/bin/python bench/labels.py                 # about 1.5 minutes
.venv/bin/python bench/labels.py --skip-api      # rendering only, no PostgreSQL needed

1. **render**, in-process, one thread: the built-in carrier's 4×6 PDF label (label_pdf),
   then a whole prepaid label as the API makes it (PDF + ZPL: create_label), then a QR
   drop-off one (PDF + ZPL + PNG), each N times after a warm-up. Labels per second per core
   = N ÷ the process's CPU seconds (so other work on the machine does not count against it);
   wall-clock rates are shown beside them.
2. **api**: recreate `retour_bench_labels`, migrate, a store with a return address, bulk-load
   approved returns (seed.py), start `retour serve --workers 2`, then for each client count:
   POST /api/v1/returns/{id}/shipments (prepaid_label, with a from_address: seed.py's orders
   have no street), every request on the next approved return, keep-alive httpx clients in
   threads; then GET the labels' PDFs. Latency per request, p50/p95/p99, CPU of the server.
3. write results/labels.json (every figure, `uptime` before and after each part, the
   machine and the commit) and print the tables.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

import cpu
import database
import machine
import refunds_results
import seed
import server
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address, checked_address
from retour.domain.shipments import ShipmentMethod
from retour.services.shipments import update_shipping_settings
from retour.settings import Settings
from retour.shipping.base import LabelRequest
from retour.shipping.builtin import BuiltinCarrier, qr_payload
from retour.shipping.label_content import LabelContent
from retour.shipping.label_pdf import label_pdf
from stats import percentile

RESULTS = Path(__file__).resolve().parent / "results"
PATH = RESULTS / "labels.json"
TARGET_PDF_PER_CORE = 100.0
TARGET_API_P95_MS = 100.0
WAREHOUSE = Address(name="Bench Returns", company="Bench GmbH", line1="Lagerstraße 5",
                    city="Berlin", postal_code="10115", country="DE")  # fmt: skip
SHOPPER = {"name": "Sam Shopper", "line1": "12 rue de la Roquette", "line2": "Bâtiment B",
           "city": "Paris", "postal_code": "75011", "country": "FR"}  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000, help="labels rendered per kind")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--database", default="retour_bench_labels")
    parser.add_argument(
        "--returns", type=int, default=20_000, help="returns seeded (half approved)"
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    document: dict[str, Any] = {**refunds_results.context(), "uptime_start": uptime()}
    document["render"] = render(args.labels)
    print_render(document["render"])
    if not args.skip_api:
        document["api"] = api(args)
        print_api(document["api"])
    document["uptime_end"] = uptime()
    PATH.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nuptime before: {document['uptime_start']}\nuptime after:  {document['uptime_end']}")
    print(f"written {PATH}")
    return 0


# -- 1. rendering -----------------------------------------------------------------------------


def render(count: int) -> dict[str, Any]:
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    shopper = checked_address(Address(**SHOPPER), "from_address")
    to = checked_address(WAREHOUSE, "return_address")
    carrier = BuiltinCarrier()

    def request(index: int, method: ShipmentMethod) -> LabelRequest:
        return LabelRequest(index + 1, f"R-{100001 + index}", method, 1, shopper, to, now,
                            now + timedelta(days=30))  # fmt: skip

    def pdf_only(index: int) -> object:
        tracking = f"RT{index + 1:010d}0"
        content = LabelContent(tracking, f"R-{100001 + index}", shopper, to, 1,
                               qr_payload(tracking, f"R-{100001 + index}"),
                               "Retour built-in · standard", now.date())  # fmt: skip
        return label_pdf(content)

    kinds: dict[str, Callable[[int], object]] = {
        "label_pdf (4×6 PDF only)": pdf_only,
        "create_label prepaid_label (PDF + ZPL)": lambda index: carrier.create_label(
            request(index, ShipmentMethod.PREPAID_LABEL)
        ),
        "create_label qr_drop_off (PDF + ZPL + QR PNG)": lambda index: carrier.create_label(
            request(index, ShipmentMethod.QR_DROP_OFF)
        ),
    }
    results = {}
    for name, make in kinds.items():
        for index in range(50):
            make(index)
        load_before = uptime()
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for index in range(count):
            make(index)
        cpu_seconds = time.process_time() - cpu_start
        wall_seconds = time.perf_counter() - wall_start
        results[name] = {
            "labels": count,
            "cpu_ms_per_label": round(1000 * cpu_seconds / count, 2),
            "per_second_per_core": round(count / cpu_seconds, 1),
            "per_second_wall": round(count / wall_seconds, 1),
            "uptime_before": load_before,
        }
    pdf = results["label_pdf (4×6 PDF only)"]
    return {
        "kinds": results,
        "target_pdf_per_second_per_core": TARGET_PDF_PER_CORE,
        "target_met": pdf["per_second_per_core"] >= TARGET_PDF_PER_CORE,
    }


def print_render(section: dict[str, Any]) -> None:
    print(
        "\n| built-in carrier, one thread | labels | CPU ms/label | per s per core | per s wall |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, row in section["kinds"].items():
        print(f"| {name} | {row['labels']} | {row['cpu_ms_per_label']} | "
              f"{row['per_second_per_core']} | {row['per_second_wall']} |")  # fmt: skip


# -- 2. through the API ---------------------------------------------------------------------


def api(args: argparse.Namespace) -> dict[str, Any]:
    db = database.recreate(args.database)
    tenant = database.prepare(db)
    engine = create_db_engine(Settings(database_url=db.url))
    try:
        update_shipping_settings(UnitOfWork(create_session_factory(engine)), tenant.store_id,
                                 WAREHOUSE)  # fmt: skip
    finally:
        engine.dispose()
    data = seed.load(db, tenant, args.returns, 0)
    approved = iter(range(2, data.returns + 1, 2))  # seed.py approves the even ids
    runs = []
    log = RESULTS / "server-labels.log"
    with server.running(db.url, log, workers=args.workers) as srv:
        pids = server.process_tree(srv.pid)
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        base = f"{srv.base_url}/api/v1"
        body = {"method": "prepaid_label", "from_address": SHOPPER}

        def post(http: httpx.Client, return_id: int) -> httpx.Response:
            return http.post(f"{base}/returns/{return_id}/shipments", json=body)

        def get(http: httpx.Client, shipment_id: int) -> httpx.Response:
            return http.get(f"{base}/shipments/{shipment_id}/label.pdf")

        for clients in args.clients:
            who = f"{clients} client(s)"
            measure(post, approved, clients, args.warmup, headers, pids, "warm-up")
            made = measure(post, approved, clients, args.duration, headers, pids,
                           f"POST /returns/{{id}}/shipments, {who}")  # fmt: skip
            read = measure(get, iter(made["shipment_ids"]), clients, args.duration / 3,
                           headers, pids, f"GET /shipments/{{id}}/label.pdf, {who}")  # fmt: skip
            for run in (made, read):
                del run["shipment_ids"]
                runs.append(run)
    post_runs = [run for run in runs if run["name"].startswith("POST")]
    return {
        "postgresql": database.server_settings(db),
        "server_workers": args.workers,
        "returns_seeded": data.returns,
        "runs": runs,
        "target_p95_ms": TARGET_API_P95_MS,
        "target_met": all(run["p95_ms"] <= TARGET_API_P95_MS for run in post_runs),
    }


def measure(
    send: Callable[[httpx.Client, int], httpx.Response],
    ids: Iterator[int],
    clients: int,
    seconds: float,
    headers: dict[str, str],
    server_pids: list[int],
    name: str,
) -> dict[str, Any]:
    """`clients` threads, each sending its next request when the last is answered."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    shipment_ids: list[int] = []
    deadline = time.monotonic() + seconds
    load_before = uptime()

    def client() -> None:
        with httpx.Client(headers=headers, timeout=30) as http:
            while time.monotonic() < deadline:
                with lock:
                    target = next(ids, None)
                if target is None:
                    raise SystemExit("ran out of approved returns: raise --returns")
                started = time.perf_counter()
                answer = send(http, target)
                elapsed = time.perf_counter() - started
                with lock:
                    if answer.status_code in (200, 201):
                        latencies.append(elapsed)
                        if answer.headers["content-type"] == "application/json":
                            shipment_ids.append(answer.json()["id"])
                    else:
                        errors.append(f"{answer.status_code} {answer.text[:200]}")

    before = cpu.snapshot({"server": server_pids})
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = cpu.snapshot({"server": server_pids})
    ordered = sorted(1000 * value for value in latencies)
    usage = cpu.usage(before, after, len(ordered))
    return {
        "name": name,
        "clients": clients,
        "seconds": seconds,
        "requests": len(ordered),
        "per_second": round(len(ordered) / seconds, 1),
        "errors": len(errors),
        "error_sample": errors[0] if errors else "",
        **{f"p{int(q * 100)}_ms": round(percentile(ordered, q), 2) for q in (0.5, 0.95, 0.99)},
        "max_ms": round(ordered[-1], 2) if ordered else 0.0,
        "server_cpu_ms_per_request": usage["server_cpu_ms_per_request"],
        "machine_busy_pct": usage["machine_busy_pct"],
        "other_busy_pct": usage["other_busy_pct"],
        "uptime_before": load_before,
        "shipment_ids": shipment_ids,
    }


def print_api(section: dict[str, Any]) -> None:
    print(f"\n| through the API ({section['server_workers']} workers, PostgreSQL) | req/s | "
          "p50 ms | p95 ms | p99 ms | max ms | errors | server CPU ms/req | others |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in section["runs"]:
        print(f"| {run['name']} | {run['per_second']} | {run['p50_ms']} | {run['p95_ms']} | "
              f"{run['p99_ms']} | {run['max_ms']} | {run['errors']} | "
              f"{run['server_cpu_ms_per_request']} | {run['other_busy_pct']}% |")  # fmt: skip


def uptime() -> str:
    """`uptime`'s line: the time, and the load averages over 1, 5 and 15 minutes."""
    done = subprocess.run(["uptime"], capture_output=True, text=True)
    return done.stdout.strip() or str(machine.facts())


if __name__ == "__main__":
    raise SystemExit(main())
