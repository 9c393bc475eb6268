"""What-if simulation: 100k historical return lines re-decided under a draft and the live policy.

.venv/bin/python bench/policy_simulate.py                      # SQLite and PostgreSQL
.venv/bin/python bench/policy_simulate.py --engine sqlite --lines 20000

Target (policy issue): 100k return lines in ≤ 10 s on PostgreSQL and on SQLite, peak memory
≤ 300 MB. Each engine gets a fresh database (SQLite: a file in a temporary directory;
PostgreSQL: `retour_bench_policy` on 127.0.0.1, dropped and recreated), migrated, with one
store whose live policy is the docs' complete example; the history is bulk-loaded with
Retour's models: orders of two lines over a catalogue of 60 SKUs (collections and tags that
hit the policies' overrides), fulfilled and delivered, one return per order asking both lines
back 2–40 days after delivery, with mixed reasons, resolutions, methods and statuses;
`--unreturned-orders N` adds N more such orders that no return names (their 2N lines are then
judged as never returned; default none, as in the earlier runs). The draft is
bench/policy_evaluate.py's policy (every section). The simulation runs in a child
process that does nothing else, so its peak RSS (`ru_maxrss`) is the simulation's (with
--processes N: its own plus N - 1 times the largest worker's, every process at its peak at
once); the time is its wall clock from the first statement to the report. Writes
results/policy_simulate.json (with --unreturned-orders: results/policy_simulate-unreturned.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, insert

from policy_evaluate import POLICY as DRAFT
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.models import (
    Customer,
    Fulfilment,
    FulfilmentLine,
    OrderLineRow,
    OrderRow,
    Product,
    ReturnLineRow,
    ReturnRow,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import Actor
from retour.services.policy.simulation import simulate_policy
from retour.services.policy.versions import save_policy
from retour.services.stores import create_store
from retour.settings import Settings

TARGET_SECONDS = 10.0
TARGET_MB = 300.0
RESULTS = Path(__file__).resolve().parent / "results" / "policy_simulate.json"
RESULTS_UNRETURNED = RESULTS.with_name("policy_simulate-unreturned.json")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "policy.md"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_NAME = "retour_bench_policy"
NOW = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)
COLLECTIONS = ["shirts", "shoes", "bags", "socks", "trousers"]
TAGS = [[], ["new-in"], ["linen", "summer"], ["clearance"], ["underwear"]]
REASONS = ["too_small", "too_large", "changed_mind", "damaged", "defective", "style"]
RESOLUTIONS = ["refund", "refund", "store_credit", "exchange"]
METHODS = ["prepaid_label", "qr_drop_off", "ship_yourself"]
STATUSES = ["requested", "approved", "completed", "completed", "rejected"]
BATCH = 5000


def live_policy() -> dict[str, Any]:
    """The complete example of docs/policy.md."""
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("## A complete example", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    document: dict[str, Any] = json.loads(block)
    return document


def seed(engine: Engine, lines: int, unreturned_orders: int = 0) -> int:
    """A store with `lines` return lines (two per return, one return per order), and
    `unreturned_orders` more orders of two lines that nobody returned."""
    uow = UnitOfWork(create_session_factory(engine))
    store_id = create_store(uow, slug="bench", name="Bench", currency="EUR",
                            timezone="Europe/Paris", now=NOW)  # fmt: skip
    rng = random.Random(4)
    orders = lines // 2
    with engine.begin() as connection:
        connection.execute(insert(Product), [
            {"id": p, "store_id": store_id, "handle": f"product-{p}", "title": f"Product {p}",
             "collection": COLLECTIONS[p % 5], "tags": TAGS[p % 5], "is_returnable": True,
             "is_final_sale": p == 7}
            for p in range(1, 21)
        ])  # fmt: skip
        connection.execute(insert(Variant), [
            {"id": v, "store_id": store_id, "product_id": (v - 1) // 3 + 1, "sku": f"SKU-{v}",
             "title": f"Variant {v}", "options": {}, "price": 1500 + 500 * (v % 12),
             "barcode": "", "weight_grams": 300}
            for v in range(1, 61)
        ])  # fmt: skip
        connection.execute(insert(Customer), [
            {"id": c, "store_id": store_id, "email": f"shopper{c}@example.test",
             "name": "", "created_at": NOW}
            for c in range(1, 5001)
        ])  # fmt: skip
    last = orders + unreturned_orders
    for first in range(1, last + 1, BATCH):
        ids = range(first, min(first + BATCH, last + 1))
        models = (OrderRow, OrderLineRow, Fulfilment, FulfilmentLine, ReturnRow, ReturnLineRow)
        rows: dict[Any, list[dict[str, Any]]] = {model: [] for model in models}
        for order_id in ids:
            _order(rows, store_id, order_id, rng, is_returned=order_id <= orders)
        with engine.begin() as connection:
            for model, values in rows.items():
                if values:
                    connection.execute(insert(model), values)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ("orders", "order_lines", "fulfilments", "fulfilment_lines", "returns",
                          "return_lines"):  # fmt: skip
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            connection.exec_driver_sql("ANALYZE")
    save_policy(uow, store_id, live_policy(), "bench", Actor("cli", "bench"), NOW)
    return store_id


def _order(rows: dict[Any, list[dict[str, Any]]], store_id: int, order_id: int,
           rng: random.Random, is_returned: bool = True) -> None:  # fmt: skip
    placed = NOW - timedelta(days=rng.randint(45, 400), minutes=rng.randint(0, 1440))
    delivered = placed + timedelta(days=3)
    asked = delivered + timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 23))
    email = f"shopper{rng.randint(1, 5000)}@example.test"
    rows[OrderRow].append({
        "id": order_id, "store_id": store_id, "platform_order_id": f"P{order_id}",
        "number": f"#{order_id}", "customer_email": email, "currency": "EUR",
        "placed_at": placed, "shipping_amount": 495, "shipping_tax": 99,
        "is_gift": order_id % 13 == 0, "shipping_postal_code": "75011",
        "shipping_country": "FR", "source_hash": "", "created_at": placed, "updated_at": placed,
    })  # fmt: skip
    rows[Fulfilment].append({"id": order_id, "order_id": order_id, "store_id": store_id,
                             "platform_fulfilment_id": f"F{order_id}", "tracking_number": "",
                             "shipped_at": placed + timedelta(days=1),
                             "delivered_at": delivered})  # fmt: skip
    status = STATUSES[order_id % len(STATUSES)]
    if is_returned:
        rows[ReturnRow].append({
            "id": order_id, "store_id": store_id, "order_id": order_id,
            "number": f"R-{100000 + order_id}", "customer_email": email, "currency": "EUR",
            "status": status, "resolution": RESOLUTIONS[order_id % 4],
            "return_method": METHODS[order_id % 3], "location_id": 1, "customer_note": "",
            "staff_message": "", "tracking_number": "", "carrier": "", "created_at": asked,
            "updated_at": asked, "refund_status": "none", "version": 1,
        })  # fmt: skip
    for index in (0, 1):
        line_id = 2 * order_id - 1 + index
        variant = rng.randint(1, 60)
        price = 1500 + 500 * (variant % 12)
        quantity = 1 + (line_id % 5 == 0)
        rows[OrderLineRow].append({
            "id": line_id, "order_id": order_id, "store_id": store_id,
            "platform_line_id": f"L{line_id}", "variant_id": variant, "sku": f"SKU-{variant}",
            "title": f"Variant {variant}", "quantity": quantity, "unit_price": price,
            "line_discount": price * quantity // 4 if line_id % 6 == 0 else 0,
            "order_discount_allocated": 0, "tax": price * quantity // 5,
        })  # fmt: skip
        rows[FulfilmentLine].append({"id": line_id, "fulfilment_id": order_id,
                                     "order_line_id": line_id, "quantity": quantity})  # fmt: skip
        if not is_returned:
            continue
        reason = REASONS[(line_id * 7) % len(REASONS)]
        approved = quantity if status in ("approved", "completed") else 0
        rows[ReturnLineRow].append({
            "id": line_id, "return_id": order_id, "store_id": store_id,
            "order_line_id": line_id, "variant_id": variant, "sku": f"SKU-{variant}",
            "title": f"Variant {variant}", "reason_code": reason,
            "reason_note": "seam" if reason == "defective" else "",
            "resolution": RESOLUTIONS[order_id % 4], "requested_quantity": quantity,
            "approved_quantity": approved,
            "received_quantity": approved if status == "completed" else 0,
            "wrong_item_quantity": 0, "is_unexpected": False,
        })  # fmt: skip


def child(url: str, store_id: int, processes: int) -> None:
    """Run one simulation and print its figures as JSON (the parent's measurement)."""
    engine = create_db_engine(Settings(database_url=url))
    uow = UnitOfWork(create_session_factory(engine))
    started = time.perf_counter()
    result = simulate_policy(uow, store_id, DRAFT, processes=processes)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest of the worker processes (none when one process did everything); this
    # process judges a share itself, so `processes - 1` workers run beside it.
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = result.as_json()
    print(json.dumps({
        "processes": processes, "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb + (processes - 1) * worker_mb, 1),
        "main_rss_mb": round(peak_mb, 1), "worker_rss_mb": round(worker_mb, 1),
        "returns": report["returns_evaluated"], "lines": report["lines_evaluated"],
        "summary": {key: report[key] for key in ("fees", "refunds", "store_credit_bonus")},
        "approval": report["automatic_approval"], "keep_item": report["keep_item"],
        "lines_newly_refused": report["eligibility"]["lines_newly_refused"],
        "unreturned_lines": {key: report["unreturned_lines"][key] for key in
                             ("lines_evaluated", "eligible", "refusals_draft")},
    }))  # fmt: skip


def run_engine(
    name: str, lines: int, workdir: Path, process_counts: list[int], unreturned_orders: int = 0
) -> list[dict[str, Any]]:
    if name == "sqlite":
        url = f"sqlite:///{workdir / 'simulate.db'}"
    else:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            ident = sql.Identifier(PG_NAME)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}"
    engine = create_db_engine(Settings(database_url=url, data_dir=workdir))
    upgrade(engine)
    started = time.perf_counter()
    store_id = seed(engine, lines, unreturned_orders)
    engine.dispose()
    print(f"{name}: seeded {lines} return lines in {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip
    runs = []
    for processes in process_counts:
        output = subprocess.run(
            [sys.executable, __file__, "--child", url, "--store-id", str(store_id),
             "--processes", str(processes)],
            check=True, capture_output=True, text=True, cwd=Path(__file__).parent,
        )  # fmt: skip
        figures: dict[str, Any] = json.loads(output.stdout)
        figures["engine"] = name
        figures["met"] = (
            figures["seconds"] <= TARGET_SECONDS and figures["peak_rss_mb"] <= TARGET_MB
        )
        runs.append(figures)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--lines", type=int, default=100_000, help="historical return lines")
    parser.add_argument(
        "--processes", default=f"1,{os.cpu_count() or 1}", help="process counts to run, e.g. 1,2"
    )
    parser.add_argument("--unreturned-orders", type=int, default=0,
                        help="orders of two lines that no return names")  # fmt: skip
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.store_id, int(args.processes))
        return 0
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        counts = sorted({int(count) for count in args.processes.split(",")})
        for name in engines:
            runs = run_engine(name, args.lines, Path(workdir), counts, args.unreturned_orders)
            for figures in runs:
                results.append(figures)
                print(f"{name}, {figures['processes']} process(es): {figures['lines']} lines "
                      f"({figures['returns']} returns) in {figures['seconds']} s, peak RSS "
                      f"{figures['peak_rss_mb']} MB — target ≤ {TARGET_SECONDS:.0f} s and "
                      f"≤ {TARGET_MB:.0f} MB: {'met' if figures['met'] else 'NOT met'}",
                      flush=True)  # fmt: skip
    written = RESULTS_UNRETURNED if args.unreturned_orders else RESULTS
    written.write_text(json.dumps({
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "load_average": os.getloadavg(), "lines": args.lines,
        "unreturned_orders": args.unreturned_orders,
        "results": results,
    }, indent=2) + "\n")  # fmt: skip
    print(f"written {written}")
    return 0 if all(figures["met"] for figures in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
