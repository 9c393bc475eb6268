"""`retour notifications …`: the daily digest for cron, and previews in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.services.context import SystemClock
from retour.settings import get_settings

notifications_app = typer.Typer(help="E-mail notifications.", no_args_is_help=True)
_out = Console(soft_wrap=True)
_err = Console(stderr=True, soft_wrap=True)


def _uow() -> UnitOfWork:
    return UnitOfWork(create_session_factory(create_db_engine(get_settings())))


@notifications_app.command("digest")
def digest(
    store: Annotated[str | None, typer.Option(help="only this store (slug)")] = None,
    send_empty: Annotated[
        bool, typer.Option(help="queue it even when nothing waits for staff")
    ] = False,
) -> None:
    """Queue today's staff digest for every store; run daily from cron (never sends twice)."""
    from retour.notifications.digest import queue_daily_digests

    outcomes = queue_daily_digests(_uow(), SystemClock().now(), store, send_empty)
    if store is not None and not outcomes:
        _err.print(f"[red]error:[/red] no store {store!r}")
        raise typer.Exit(1)
    for outcome in outcomes:
        detail = f" ({outcome.recipients} recipient(s))" if outcome.result == "queued" else ""
        _out.print(f"{outcome.store_slug}: {outcome.result.replace('_', ' ')}{detail}")


@notifications_app.command("preview")
def preview(
    kind: Annotated[str, typer.Argument(help="e-mail kind, e.g. return_approved")],
    store: Annotated[str, typer.Option(help="the store (slug)")],
    locale: Annotated[str | None, typer.Option(help="en, fr or de (default: the store's)")] = None,
    return_id: Annotated[int | None, typer.Option(help="a real return instead of a sample")] = None,
    html: Annotated[bool, typer.Option(help="print the HTML part instead of the text")] = False,
) -> None:
    """Render an e-mail as it would go out: subject, then the text (or HTML) part."""
    from retour.notifications.context import email_locale
    from retour.notifications.editing import store_for
    from retour.notifications.preview import preview_email
    from retour.notifications.templates import default_templates

    settings = get_settings()
    uow = _uow()
    try:
        with uow:
            found = uow.stores.by_slug(store)
            if found is None:
                raise typer.BadParameter(f"no store {store!r}", param_hint="--store")
            language = locale or email_locale(store_for(uow, found.id))
        shown = preview_email(
            uow, found.id, kind, language, default_templates(), settings.base_url,
            SystemClock().now(), return_id=return_id,
        )  # fmt: skip
    except DomainError as error:
        _err.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(1) from error
    _out.print(f"Subject: {shown.subject}", markup=False, highlight=False)
    _out.print("", markup=False)
    _out.print(shown.html if html else shown.text, markup=False, highlight=False)
    for name in shown.undefined:
        _err.print(f"undefined: {name}", markup=False)
