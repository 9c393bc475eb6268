"""Server time of each shopper portal page, with 100k orders and ~25k returns stored.

.venv/bin/python bench/portal.py                      # PostgreSQL, ~4 minutes
.venv/bin/python bench/portal.py --engine both        # and SQLite (a temp file), ~6 min
.venv/bin/python bench/portal.py --shoppers 400 --orders 100000

The database (PostgreSQL: `retour_bench_portal` on 127.0.0.1, dropped and recreated, and
dropped again at the end; SQLite: a file in a temporary directory) is migrated and loaded by
reports_seed.py, then every order gets a payment and one fulfilment of all its units (the
seeder's orders have neither, and unshipped items cannot go back). The app runs in-process
(`create_app`, a fixed clock at the seed's "now", the built-in policy) behind an ASGI
wrapper that times each request from its call to the end of its response: the app's own
time, not the test client's. Shoppers are EUR orders picked at random: for each, with fresh
cookies, the look-up page, the look-up, the items page, the review, the confirm (a fresh
submission key, on orders without a return so units are left) and the new return's status
page; then, on other orders that already have a seeded return, the look-up, the items page
and that return's status page. The first shoppers of each kind warm up and are not counted.
Target (issue 5): each page ≤ 50 ms p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from database import HOST, PORT, USER, recreate
from machine import busy_pct, facts
from reports_seed import NOW, seed
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import FixedClock
from retour.settings import Settings
from retour.web.app import create_app
from stats import percentile

RESULTS = Path(__file__).resolve().parent / "results" / "portal.json"
PG_NAME = "retour_bench_portal"
BASE = "/s/bench/returns"
TARGET_P95_MS = 50.0
SECRET = "portal-bench-" + "x" * 32
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([^"]+)"')
QUANTITY = re.compile(r'name="qty-(\d+)"')

#: Every order shipped and paid in full (ids given, as the seeder gives the orders').
SHIP_AND_PAY = (
    "INSERT INTO fulfilments (id, order_id, store_id, platform_fulfilment_id, tracking_number,"
    " shipped_at, delivered_at) SELECT id, id, store_id, 'F' || id, '', placed_at, placed_at"
    " FROM orders",
    "INSERT INTO fulfilment_lines (id, fulfilment_id, order_line_id, quantity)"
    " SELECT id, order_id, id, quantity FROM order_lines",
    "INSERT INTO order_payments (id, order_id, store_id, platform_payment_id, gateway, amount,"
    " currency) SELECT o.id, o.id, o.store_id, 'PAY' || o.id, 'manual', o.shipping_amount"
    " + o.shipping_tax + (SELECT sum(l.unit_price * l.quantity - l.line_discount + l.tax)"
    " FROM order_lines l WHERE l.order_id = o.id), o.currency FROM orders o",
)


class AppTimer:
    """ASGI wrapper: how long the app took for the last request, call to last body byte, and
    how many SQL statements it ran (every engine's cursor executions in the process)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0
        self.statements = 0
        event.listen(Engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.statements += 1

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._count)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.statements = 0
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last = time.perf_counter() - started


def database_url(engine_name: str, workdir: Path) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{workdir / 'portal.db'}"
    return recreate(PG_NAME).url


def drop_database() -> None:
    admin = f"host={HOST} port={PORT} user={USER} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def prepare(engine: Engine, orders: int) -> dict[str, Any]:
    """Migrate, seed, ship and pay every order; what was loaded and how long it took."""
    upgrade(engine)
    started = time.perf_counter()
    seed(engine, orders, lambda done: print(f"  {done} orders", end="\r", flush=True))
    seeded = time.perf_counter() - started
    with engine.begin() as connection:
        for statement in SHIP_AND_PAY:
            connection.exec_driver_sql(statement)
        if engine.dialect.name == "postgresql":
            for table in ("fulfilments", "fulfilment_lines", "order_payments"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.exec_driver_sql("ANALYZE")
    with engine.connect() as connection:
        counts = {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in ("orders", "order_lines", "returns", "return_lines", "events")
        }
    loaded = {**counts, "seed_seconds": round(seeded, 1),
              "with_shipping_seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
    print(f"  loaded {loaded}")
    return loaded


def pick_shoppers(engine: Engine, fresh: int, returning: int) -> tuple[list, list]:
    """EUR orders at random: without a return (number, e-mail) and with one (… and its RMA)."""
    rng = random.Random(5)
    with engine.connect() as connection:
        without = connection.exec_driver_sql(
            "SELECT o.number, o.customer_email FROM orders o WHERE o.currency = 'EUR' AND NOT"
            " EXISTS (SELECT 1 FROM returns r WHERE r.order_id = o.id) ORDER BY o.id"
        ).all()
        with_return = connection.exec_driver_sql(
            "SELECT o.number, o.customer_email, r.number FROM returns r JOIN orders o ON"
            " o.id = r.order_id WHERE o.currency = 'EUR' ORDER BY r.id"
        ).all()
    return rng.sample(list(without), fresh), rng.sample(list(with_return), returning)


def plain_reason(engine: Engine, store_id: int) -> str:
    """The first active reason that needs neither a comment nor a photo."""
    with UnitOfWork(create_session_factory(engine)) as uow:
        reasons = uow.stores.reasons(store_id)
    return next(
        reason.code
        for reason in reasons
        if reason.is_active and not reason.requires_comment and not reason.requires_photo
    )


class Shopper:
    """One browser: each call is timed under its page's name when `timings` is given."""

    def __init__(self, client: TestClient, timer: AppTimer, timings: dict | None) -> None:
        self.client, self.timer, self.timings = client, timer, timings
        client.cookies.clear()

    def call(self, page: str, method: str, path: str, expect: int, **kwargs: Any) -> str:
        cpu = time.process_time()
        response = self.client.request(method, BASE + path, **kwargs)
        cpu = time.process_time() - cpu
        assert response.status_code == expect, (page, response.status_code, response.text[:800])
        if self.timings is not None:
            self.timings.setdefault(page, []).append((self.timer.last, cpu, self.timer.statements))
        return response.headers.get("location") or response.text

    def look_up(self, number: str, email: str) -> None:
        page = self.call("GET lookup", "GET", "", 200)
        fields = {"csrf": _found(CSRF, page), "order_number": number, "email": email}
        self.call("POST lookup", "POST", "", 303, data=fields)


def fresh_shopper(shopper: Shopper, number: str, email: str, reason: str) -> None:
    """Look-up, items, review, confirm, status: a whole new return."""
    shopper.look_up(number, email)
    page = shopper.call("GET order", "GET", "/order", 200)
    line = _found(QUANTITY, page)
    fields = {"csrf": _found(CSRF, page), "submission_key": _found(KEY, page),
              f"qty-{line}": "1", f"reason-{line}": reason, "resolution": "refund",
              "method": "prepaid_label", "note": ""}  # fmt: skip
    review = shopper.call("POST order (review)", "POST", "/order", 200, data=fields)
    assert "Request the return" in review, review[:800]
    location = shopper.call("POST order (confirm)", "POST", "/order", 303,
                            data={**fields, "confirm": "1"})  # fmt: skip
    shopper.call("GET status (new return)", "GET", location.removeprefix(BASE), 200)


def returning_shopper(shopper: Shopper, number: str, email: str, rma: str) -> None:
    """Look-up, items of an order with a return, that return's status."""
    shopper.look_up(number, email)
    shopper.call("GET order (order with a return)", "GET", "/order", 200)
    shopper.call("GET status (seeded return)", "GET", f"/{rma}", 200)


def _found(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    assert match is not None, (pattern.pattern, html[:800])
    return match.group(1)


def measure(app: Any, shoppers: list, flow: Callable[..., None], warmup: int) -> dict[str, list]:
    """Per page: (the app's seconds, the process's CPU seconds, SQL statements) of each
    request."""
    timer = AppTimer(app)
    timings: dict[str, list] = {}
    try:
        with TestClient(timer, follow_redirects=False) as client:
            for index, details in enumerate(shoppers):
                flow(Shopper(client, timer, timings if index >= warmup else None), *details)
    finally:
        timer.close()
    return timings


def summary(timings: dict[str, list]) -> list[dict[str, Any]]:
    rows = []
    for page, measured in timings.items():
        ordered = sorted(seconds * 1000 for seconds, _, _ in measured)
        cpu_ms = sum(cpu for _, cpu, _ in measured) * 1000 / len(measured)
        statements = sorted(count for _, _, count in measured)
        rows.append({"page": page, "requests": len(ordered), "cpu_ms_mean": round(cpu_ms, 2),
                     "statements_min": statements[0], "statements_max": statements[-1],
                     "p50_ms": round(percentile(ordered, 0.50), 2),
                     "p95_ms": round(percentile(ordered, 0.95), 2),
                     "p99_ms": round(percentile(ordered, 0.99), 2),
                     "max_ms": round(ordered[-1], 2),
                     "meets_target": percentile(ordered, 0.95) <= TARGET_P95_MS})  # fmt: skip
    return rows


def run_engine(name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    print(f"{name}:", flush=True)
    url = database_url(name, workdir)
    settings = Settings(env="test", database_url=url, data_dir=workdir, secret_key=SECRET)
    engine = create_db_engine(settings)
    try:
        loaded = prepare(engine, args.orders)
        fresh, returning = pick_shoppers(
            engine, args.shoppers + args.warmup, args.shoppers + args.warmup
        )
        with engine.connect() as connection:
            store_id = connection.exec_driver_sql("SELECT id FROM stores").scalar_one()
        reason = plain_reason(engine, store_id)
    finally:
        engine.dispose()
    app = create_app(settings, clock=FixedClock(NOW))
    busy_before = busy_pct(1.0)
    started = time.perf_counter()
    timings = measure(app, fresh, partial(fresh_shopper, reason=reason), args.warmup)
    timings |= measure(app, returning, returning_shopper, args.warmup)
    seconds = time.perf_counter() - started
    pages = summary(timings)
    for row in pages:
        figures = " ".join(f"{key[:-3]} {row[key]:>7}" for key in ("p50_ms", "p95_ms", "p99_ms"))
        print(
            f"  {row['page']:<34} n={row['requests']:<4} {figures} max {row['max_ms']:>7} ms"
            f"  CPU {row['cpu_ms_mean']} ms"
            f"  SQL {row['statements_min']}-{row['statements_max']}"
        )
    return {"engine": name, "loaded": loaded, "measured_seconds": round(seconds, 1),
            "machine_busy_before_pct": busy_before, "load_average_after": os.getloadavg(),
            "pages": pages}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="postgresql")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--shoppers", type=int, default=250, help="measured, of each kind")
    parser.add_argument("--warmup", type=int, default=25, help="untimed shoppers of each kind")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for name in engines:
                results.append(run_engine(name, args, Path(workdir)))
        finally:
            if "postgresql" in engines and not args.keep:
                drop_database()
    args.output.write_text(json.dumps({
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": facts(), "load_average_before": load_before,
        "target_p95_ms": TARGET_P95_MS, "clock": NOW.isoformat(), "policy": "built-in",
        "shoppers_per_kind": args.shoppers, "warmup_per_kind": args.warmup, "results": results,
    }, indent=2) + "\n")  # fmt: skip
    print(f"written {args.output}")
    return 0 if all(row["meets_target"] for r in results for row in r["pages"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
