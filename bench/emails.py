"""E-mails through the outbox worker to a local SMTP server: how many per second.

.venv/bin/python bench/emails.py                      # SQLite, SMTP; about 30 s
.venv/bin/python bench/emails.py --database postgresql
.venv/bin/python bench/emails.py --transport eml      # no SMTP: .eml files under a temp dir

1. a fresh database (a SQLite file in a temp dir, or `retour_bench_emails` recreated on the
   local PostgreSQL), migrated; one store (French, Europe/Paris) with one owner;
2. returns requested and approved through Retour's own use cases, each with its events and
   deliveries in the same transaction: `return_requested` and `return_approved` to the shopper,
   `staff_review_needed` to the owner — three e-mails per return;
3. an aiosmtpd server in a process of its own on 127.0.0.1 (`tests/support/smtp_server.py`),
   so that it takes no CPU from the sender's process;
4. measured: one `Worker` as `retour worker` runs it (16 send threads, claims of 100, its
   pipeline: `Worker.run`; `--once` measures `run_once` batches instead) until every e-mail
   is delivered; each is rendered from the database (context, template, MIME message) and
   sent over its send thread's SMTP connection. The rate is e-mails delivered per second of
   wall-clock time, checked against what the server received;
5. writes `bench/results/emails.json` (one section per database, transport and threads).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import database
import machine
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.models import Delivery, DeliveryAttempt
from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.notifications.sender import email_sender_from_settings
from retour.services import returns as use_cases
from retour.services.context import Actor, FixedClock
from retour.services.order_import import OrderImport, import_order
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.stores import create_staff_user, create_store
from retour.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "emails.json"
TARGET_PER_SECOND = 100.0
EMAILS_PER_RETURN = 3
STAFF = Actor("staff", "bench@retour.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--emails", type=int, default=3000, help="about this many e-mails")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--transport", choices=("smtp", "eml"), default="smtp")
    parser.add_argument("--threads", type=int, default=16, help="worker send threads")
    parser.add_argument("--batch", type=int, default=100, help="deliveries per claim")
    parser.add_argument("--once", action="store_true", help="run_once batches, not the pipeline")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="retour-bench-emails-") as directory:
        settings = _settings(Path(directory), options.database)
        engine = create_db_engine(settings)
        upgrade(engine)
        session_factory = create_session_factory(engine)
        clock = FixedClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
        started = time.perf_counter()
        returns = -(-options.emails // EMAILS_PER_RETURN)
        _seed(UnitOfWork(session_factory), clock, returns)
        print(f"seeded {returns} returns in {time.perf_counter() - started:.1f} s", flush=True)
        with _smtp_server() as (host, port, received):
            mail_settings = settings.model_copy(
                update={"smtp_host": host if options.transport == "smtp" else "",
                        "smtp_port": port, "smtp_security": "none"}
            )  # fmt: skip
            sender = email_sender_from_settings(mail_settings, session_factory, clock)
            worker = Worker(
                lambda: UnitOfWork(session_factory), {"email": sender}, clock,
                WorkerSettings(batch_size=options.batch, threads=options.threads,
                               queues_digests=False),
            )  # fmt: skip
            busy = machine.busy_pct(1.0)
            started = time.perf_counter()
            attempted = _send_all(worker, session_factory, options.once)
            elapsed = time.perf_counter() - started
            server_count = received()
        result = _result(session_factory, options, attempted, elapsed, server_count, busy)
        engine.dispose()
    _write(result)
    _print(result)


def _send_all(worker: Worker, session_factory: Any, in_batches: bool) -> int:
    """Until nothing is pending; how many were attempted."""
    if in_batches:
        attempted = 0
        while (count := worker.run_once()) > 0:
            attempted += count
        return attempted
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    pending = select(func.count()).where(Delivery.status == "pending")
    while True:
        with session_factory() as session:
            if session.execute(pending).scalar_one() == 0:
                break
        time.sleep(0.05)
    stop.set()
    thread.join()
    with session_factory() as session:
        return int(session.execute(select(func.count()).select_from(DeliveryAttempt)).scalar_one())


def _settings(directory: Path, engine_name: str) -> Settings:
    if engine_name == "sqlite":
        url = f"sqlite:///{directory / 'bench.db'}"
    else:
        url = database.recreate("retour_bench_emails").url
    return Settings(
        env="test", data_dir=directory, database_url=url, base_url="https://returns.example",
        mail_from="Maison Bench <returns@maison.example>",
    )  # fmt: skip


def _seed(uow: UnitOfWork, clock: FixedClock, returns: int) -> None:
    """One order of `returns` units; one return of one unit each, requested then approved."""
    create_store(
        uow, slug="maison", name="Maison Bench", currency="EUR", now=clock.now(),
        timezone="Europe/Paris", locale="fr",
    )  # fmt: skip
    create_staff_user(
        uow, store_slug="maison", email="owner@maison.example", password="bench-password",
        role="owner", now=clock.now(), name="Olivia",
    )  # fmt: skip
    with uow:
        store = uow.stores.by_slug("maison")
        assert store is not None
        store_id = store.id
    placed = clock.now() - timedelta(days=10)
    order = import_order(
        uow, store_id, OrderImport.model_validate({
            "id": "bench-1", "number": "#B1", "placed_at": placed.isoformat(), "currency": "EUR",
            "customer": {"email": "camille@example.com", "name": "Camille Martin"},
            "lines": [{"id": "b1", "sku": "LIN-M", "title": "Chemise en lin M",
                       "quantity": returns, "unit_price": 4900, "tax": 980 * returns}],
            "payments": [{"id": "b1-p", "gateway": "card", "amount": 5880 * returns}],
            "fulfilments": [{"id": "b1-f", "shipped_at": placed.isoformat(),
                             "lines": [{"line_id": "b1", "quantity": returns}]}],
        }), STAFF, clock.now(),
    ).order  # fmt: skip
    request = use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")])
    for _ in range(returns):
        ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())
        use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())


class _smtp_server:
    """`python -m tests.support.smtp_server PORT` in a process of its own."""

    def __enter__(self) -> tuple[str, int, Any]:
        sys.path.insert(0, str(ROOT))
        from tests.support.smtp_server import free_port

        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.smtp_server", str(self.port)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stdin is not None
        ready = self.process.stdout.readline()
        if not ready.startswith("listening"):
            raise RuntimeError(f"the SMTP server did not start: {ready!r}")
        return "127.0.0.1", self.port, self._received

    def _received(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def __exit__(self, *_exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _result(
    session_factory: Any,
    options: argparse.Namespace,
    attempted: int,
    elapsed: float,
    server_count: int,
    busy: float,
) -> dict[str, Any]:
    with session_factory() as session:
        statuses = [row[0] for row in session.execute(select(Delivery.status))]
        durations = sorted(row[0] for row in session.execute(select(DeliveryAttempt.duration_ms)))
    delivered = statuses.count("delivered")
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": options.database,
        "transport": options.transport,
        "threads": options.threads,
        "batch": options.batch,
        "mode": "run_once batches" if options.once else "pipeline (Worker.run)",
        "emails": len(statuses),
        "attempted": attempted,
        "delivered": delivered,
        "received_by_smtp_server": server_count if options.transport == "smtp" else None,
        "seconds": round(elapsed, 2),
        "per_second": round(delivered / elapsed, 1),
        "target_per_second": TARGET_PER_SECOND,
        "send_ms_p50": durations[len(durations) // 2] if durations else None,
        "send_ms_p99": durations[int(len(durations) * 0.99)] if durations else None,
        "send_ms_mean": round(statistics.fmean(durations), 1) if durations else None,
        "machine": {**machine.facts(), "busy_pct_before": str(busy)},
    }


def _write(result: dict[str, Any]) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{result['database']}-{result['transport']}-{result['threads']}-threads"] = result
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def _print(result: dict[str, Any]) -> None:
    met = "yes" if result["per_second"] >= TARGET_PER_SECOND else "NO"
    print(
        f"{result['delivered']}/{result['emails']} e-mails delivered in {result['seconds']} s "
        f"= {result['per_second']}/s ({result['database']}, {result['transport']}; "
        f"target {TARGET_PER_SECOND:.0f}/s met: {met})"
    )
    if result["received_by_smtp_server"] is not None:
        print(f"the SMTP server received {result['received_by_smtp_server']}")
    print(
        f"time per e-mail in a send thread: p50 {result['send_ms_p50']} ms, "
        f"p99 {result['send_ms_p99']} ms"
    )
    facts = result["machine"]
    print(f"machine: {facts['nproc']} × {facts['cpu_model']}, {facts['memory']}, "
          f"Python {facts['python']}")  # fmt: skip
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
