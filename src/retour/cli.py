"""The `retour` command: serve, migrate, import, keys, users, scheduled jobs; seeding, store
credit, policy, reports, shipments and the portal have modules of their own (cli_*.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from retour.cli_common import err, out
from retour.cli_common import fail as _fail
from retour.cli_common import open_uow as _uow
from retour.cli_credit import credit_app
from retour.cli_policy import policy_app
from retour.cli_portal import portal_app
from retour.cli_reports import report_app
from retour.cli_secrets import secrets_app
from retour.cli_seed import seed_app, seed_demo
from retour.cli_shipments import shipments_app
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.notifications.commands import notifications_app
from retour.payments.registry import providers_from_settings
from retour.services.context import Actor, SystemClock
from retour.services.order_import import OrderImport, import_order
from retour.services.refunds.settling import settle_pending_refunds
from retour.services.returns import expire_overdue_returns
from retour.services.stores import create_api_key, create_staff_user, create_store
from retour.settings import get_settings

app = typer.Typer(help="Retour — returns management for eCommerce merchants.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
returns_app = typer.Typer(help="Return jobs for cron.", no_args_is_help=True)
store_app = typer.Typer(help="Stores (tenants).", no_args_is_help=True)
refunds_app = typer.Typer(help="Refund jobs for cron.", no_args_is_help=True)
outbox_app = typer.Typer(help="The outbox of e-mails and webhooks.", no_args_is_help=True)
for sub, name in [
    (store_app, "store"),
    (db_app, "db"),
    (seed_app, "seed"),
    (apikey_app, "apikey"),
    (user_app, "user"),
    (import_app, "import"),
    (returns_app, "returns"),
    (credit_app, "credit"),
    (refunds_app, "refunds"),
    (outbox_app, "outbox"),
    (notifications_app, "notifications"),
    (policy_app, "policy"),
    (report_app, "report"),
    (shipments_app, "shipments"),
    (portal_app, "portal"),
    (secrets_app, "secrets"),
]:
    app.add_typer(sub, name=name)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = get_settings()
    upgrade(create_db_engine(settings))
    out.print(f"database at head: {settings.effective_database_url.split('@')[-1]}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    access_log: Annotated[bool, typer.Option(help="log every request to standard output")] = True,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="processes; one per CPU core uses them all")
    ] = 1,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="also send e-mails and webhooks from this process (default: on with SQLite)",
        ),
    ] = None,
) -> None:
    """Serve the web app and API (run `retour db upgrade` first)."""
    import os

    import uvicorn
    from fastapi import FastAPI

    from retour.web.app import create_app

    if worker is not None:
        os.environ["RETOUR_OUTBOX_IN_PROCESS"] = "true" if worker else "false"
        get_settings.cache_clear()
    settings = get_settings()
    app_or_factory: FastAPI | str
    if workers == 1:
        app_or_factory = create_app(settings, run_worker=settings.runs_worker_in_process)
    else:
        # Each worker process builds its own app (and database pool) from the environment.
        app_or_factory = "retour.web.app:app_from_environment"
    uvicorn.run(
        app_or_factory,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Upgrade the database, seed the demo store if it is empty, and serve it."""
    from retour.demo.seed import (
        DEMO_OWNER_EMAIL,
        DEMO_OWNER_PASSWORD,
        demo_api_key,
        demo_shopper,
    )

    settings = get_settings()
    if settings.env == "production":
        raise _fail("`retour demo` is for development; it refuses RETOUR_ENV=production")
    seed_demo()
    key = demo_api_key(_uow(settings))
    order_number, shopper_email = demo_shopper(_uow(settings))
    base = f"http://{host}:{port}"
    out.print(
        f"\n[bold]Retour demo[/bold] — store [cyan]demo[/cyan] (SQLite: {settings.data_dir}/)\n"
        f"  Front page      {base}/\n"
        f"  API             {base}/api/v1   reference: {base}/api/docs\n"
        f"  API key         {key}\n"
        f"  Owner login     {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}\n"
        f"  Shopper portal  {base}/s/demo/returns   order {order_number} / {shopper_email}\n"
        f"  Back office     {base}/backoffice   warehouse station: {base}/backoffice/station\n"
    )
    serve(host=host, port=port)


@store_app.command("create")
def store_create(
    slug: Annotated[str, typer.Option(help="short name used in URLs, e.g. maison")],
    name: Annotated[str, typer.Option(help="the store's display name")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. EUR")],
    timezone: Annotated[str, typer.Option(help="IANA zone, e.g. Europe/Paris")] = "UTC",
    locale: Annotated[str, typer.Option(help="default language of the store")] = "en",
) -> None:
    """Create a store with a default return location and the default return reasons."""
    settings = get_settings()
    try:
        create_store(_uow(settings), slug=slug, name=name, currency=currency,
                     timezone=timezone, locale=locale, now=SystemClock().now())  # fmt: skip
    except DomainError as error:
        raise _fail(error.detail) from error
    out.print(f"created store {slug!r}; next: retour apikey create --store {slug}")


@apikey_app.command("create")
def apikey_create(
    store: Annotated[str, typer.Option(help="store slug")],
    name: Annotated[str, typer.Option(help="what the key is for")] = "cli",
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    settings = get_settings()
    try:
        key = create_api_key(_uow(settings), store, name, SystemClock().now())
    except DomainError as error:
        raise _fail(error.detail) from error
    err.print(f"API key {name!r} for store {store!r} (shown once, store it now):")
    print(key)


@user_app.command("create")
def user_create(
    store: Annotated[str, typer.Option(help="store slug")],
    email: Annotated[str, typer.Option(help="login e-mail")],
    role: Annotated[str, typer.Option(help="owner, admin, agent, warehouse or analyst")] = "agent",
    name: Annotated[str, typer.Option(help="display name")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a staff account."""
    settings = get_settings()
    try:
        create_staff_user(
            _uow(settings),
            store_slug=store,
            email=email,
            password=password,
            role=role,
            name=name,
            now=SystemClock().now(),
        )
    except DomainError as error:
        raise _fail(error.detail) from error
    out.print(f"created {role} {email} in store {store}")


@import_app.command("orders")
def import_orders(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines file")],
    store: Annotated[str, typer.Option(help="store slug")],
) -> None:
    """Import orders, one JSON object per line (docs/import.md); re-running is idempotent."""
    settings = get_settings()
    uow = _uow(settings)
    with uow:
        found = uow.stores.by_slug(store)
    if found is None:
        raise _fail(f"no store {store!r}")
    clock, actor = SystemClock(), Actor("cli", "import")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    lines = file.read_text(encoding="utf-8").splitlines()
    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("orders", total=len(lines))
        for number, text in enumerate(lines, start=1):
            progress.advance(task)
            if not text.strip():
                continue
            try:
                payload = OrderImport.model_validate(json.loads(text))
                result = import_order(uow, found.id, payload, actor, clock.now())
            except json.JSONDecodeError as error:
                _report(number, f"not JSON: {error.msg} at column {error.colno}", counts)
            except ValidationError as error:
                reasons = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'order'}: {e['msg']}"
                    for e in error.errors()
                )
                _report(number, reasons, counts)
            except DomainError as error:
                _report(number, error.detail, counts)
            else:
                kind = "created" if result.created else "updated" if result.changed else "unchanged"
                counts[kind] += 1
    out.print(", ".join(f"{count} {kind}" for kind, count in counts.items()))
    if counts["failed"]:
        raise typer.Exit(1)


def _report(line_number: int, reason: str, counts: dict[str, int]) -> None:
    counts["failed"] += 1
    err.print(f"line {line_number}: {reason}")


@returns_app.command("expire")
def returns_expire() -> None:
    """Expire approved returns whose items did not arrive in time (safe to run from cron)."""
    settings = get_settings()
    count = expire_overdue_returns(_uow(settings), SystemClock().now())
    out.print(f"{count} return(s) expired")


@refunds_app.command("settle")
def refunds_settle() -> None:
    """Ask the payment providers about every pending refund and record the answers.

    Finishes refunds that a crash or a provider's "pending" left open; safe to run from cron
    (each provider request reuses its idempotency key, so no money moves twice).
    """
    settings = get_settings()
    session_factory = create_session_factory(create_db_engine(settings))
    settled = settle_pending_refunds(
        lambda: UnitOfWork(session_factory),
        providers_from_settings(settings),
        SystemClock().now,
        Actor("cli", "refunds settle"),
    )
    outcomes: dict[str, int] = {}
    for refund in settled:
        outcomes[refund.status] = outcomes.get(refund.status, 0) + 1
        if refund.status == "failed":
            err.print(f"refund {refund.id} (return {refund.return_id}): {refund.failure_message}")
    summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
    out.print(f"{len(settled)} pending refund(s) settled" + (f": {summary}" if summary else ""))


@app.command("worker")
def outbox_worker(
    once: Annotated[bool, typer.Option(help="send what is due now, then stop")] = False,
    threads: Annotated[int, typer.Option(min=1, max=256, help="sends in flight at once")] = 16,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="deliveries per claim")] = 100,
) -> None:
    """Send the outbox's e-mails and webhooks, with retries; run as many as you like."""
    import signal
    import threading

    from retour.services.outbox.setup import chores_from_settings, senders_from_settings
    from retour.services.outbox.worker import Worker, WorkerSettings

    settings = get_settings()
    session_factory = create_session_factory(create_db_engine(settings))
    clock = SystemClock()

    def new_uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    worker = Worker(
        new_uow,
        senders_from_settings(settings),
        clock,
        WorkerSettings(
            batch_size=batch, threads=threads, lease_seconds=settings.outbox_lease_seconds
        ),
        chores=() if once else chores_from_settings(new_uow, clock, settings),
    )
    if once:
        sent = 0
        while (count := worker.run_once()) > 0:
            sent += count
        out.print(f"{sent} deliveries attempted")
        return
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    err.print(f"outbox worker {worker.name} running; Ctrl-C stops it")
    worker.run(stop)


@outbox_app.command("replay")
def outbox_replay(
    delivery: Annotated[
        list[int] | None, typer.Option(help="a delivery id (repeatable); default: every dead one")
    ] = None,
    store: Annotated[str | None, typer.Option(help="only this store (slug)")] = None,
    since: Annotated[
        str | None, typer.Option(help="only deliveries created since (ISO 8601 date or time)")
    ] = None,
) -> None:
    """Queue dead deliveries (or named ones, even if delivered) to be sent again."""
    from datetime import datetime as dt

    settings = get_settings()
    uow = _uow(settings)
    store_id = None
    with uow:
        if store is not None:
            found = uow.stores.by_slug(store)
            if found is None:
                raise _fail(f"no store {store!r}")
            store_id = found.id
        try:
            since_at = dt.fromisoformat(since).astimezone() if since else None
        except ValueError as error:
            raise _fail(f"--since: not an ISO 8601 date or time: {since!r}") from error
        count = uow.outbox.replay(
            SystemClock().now(), store_id=store_id, delivery_ids=delivery, since=since_at
        )
        uow.commit()
    out.print(f"{count} deliveries queued again")


def main() -> None:
    app()
