"""`retour shipments …`: the tracking poll for cron, and stores' carrier accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.services import shipments
from retour.services.context import Actor, SystemClock
from retour.services.shipments import expired_labels as shipments_expired
from retour.settings import get_settings
from retour.shipping.registry import carriers_from_settings

shipments_app = typer.Typer(
    help="Shipments: the tracking poll, carrier accounts.", no_args_is_help=True
)
_out = Console(soft_wrap=True, markup=False, highlight=False)
_err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
StoreOption = Annotated[str, typer.Option("--store", help="store slug")]


def _uow() -> UnitOfWork:
    return UnitOfWork(create_session_factory(create_db_engine(get_settings())))


def _store_id(uow: UnitOfWork, slug: str) -> int:
    with uow:
        found = uow.stores.by_slug(slug)
        if found is None:
            _err.print(f"error: no store {slug!r}")
            raise typer.Exit(1)
        return found.id


@shipments_app.command("refresh")
def refresh(store: Annotated[str, typer.Option(help="only this store (slug)")] = "") -> None:
    """Ask the carriers about every parcel still on its way and record the new scans.

    The fallback for tracking webhooks that did not arrive; safe to run from cron (a scan
    seen before is not recorded again). Exits 1 when a carrier could not be asked.
    """
    uow, clock = _uow(), SystemClock()
    store_id = _store_id(uow, store) if store else None
    todo = shipments.shipments_to_refresh(uow, clock, store_id)
    actor = Actor("cli", "shipments refresh")
    carriers = carriers_from_settings(get_settings())
    new_scans = failed = 0
    for done in shipments.refresh_shipments(uow, carriers, todo, actor, clock):
        new_scans += done.new_scans
        if done.error:
            failed += 1
            _err.print(f"{done.number} {done.carrier} {done.tracking_number}: {done.error}")
        elif done.new_scans:
            _out.print(f"{done.number} {done.tracking_number}: {done.status} (+{done.new_scans})")
    _out.print(f"{len(todo)} shipment(s) asked, {new_scans} new scan(s), {failed} failed")
    if failed:
        raise typer.Exit(1)


@shipments_app.command("void-expired")
def void_expired() -> None:
    """Void the bought labels that expired without a scan, so the carrier refunds them.

    Safe to run from cron (the workers also run it hourly); exits 1 when a label could not
    be voided now (it is tried again next time).
    """
    run = shipments_expired.void_expired_labels(
        _uow, carriers_from_settings(get_settings()), SystemClock(),
        Actor("cli", "shipments void-expired"),
    )  # fmt: skip
    _out.print(f"{run.voided} expired label(s) voided, {run.failed} failed")
    if run.failed:
        raise typer.Exit(1)


@shipments_app.command("account-set")
def account_set(
    store: StoreOption,
    carrier: Annotated[str, typer.Argument(help="e.g. easypost")],
    api_key: Annotated[str, typer.Option(envvar="RETOUR_CARRIER_API_KEY", help="kept as is")] = "",
    webhook_secret: Annotated[str, typer.Option(envvar="RETOUR_CARRIER_WEBHOOK_SECRET")] = "",
    service: Annotated[str, typer.Option(help="the carrier's service; empty: cheapest")] = "",
) -> None:
    """Create or change a store's carrier account (empty options keep what it has); its new
    labels are bought there. Prefer the environment variables to options for secrets."""
    uow = _uow()
    changes = shipments.AccountChanges(api_key or None, webhook_secret or None, service or None)
    carriers = carriers_from_settings(get_settings())
    try:
        view = shipments.set_carrier_account(
            uow, carriers, _store_id(uow, store), carrier, changes, SystemClock().now()
        )
    except DomainError as error:
        _err.print(f"error: {error.detail}")
        raise typer.Exit(1) from None
    secret = "webhook secret set" if view.has_webhook_secret else "no webhook secret"
    _out.print(f"{store}: {view.carrier} account saved ({view.service or 'cheapest'}, {secret})")


@shipments_app.command("account-remove")
def account_remove(store: StoreOption, carrier: Annotated[str, typer.Argument()]) -> None:
    """The store's labels are made by the built-in carrier again."""
    uow = _uow()
    try:
        shipments.remove_carrier_account(uow, _store_id(uow, store), carrier)
    except DomainError as error:
        _err.print(f"error: {error.detail}")
        raise typer.Exit(1) from None
    _out.print(f"{store}: {carrier} account removed")
