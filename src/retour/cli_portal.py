"""`retour portal …`: the shopper portal's jobs for cron."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import SystemClock
from retour.services.portal.photo_cleanup import prune_unattached_photos
from retour.settings import get_settings

portal_app = typer.Typer(help="The shopper portal's jobs for cron.", no_args_is_help=True)
_out = Console(soft_wrap=True, markup=False, highlight=False)
_err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
_AGE = re.compile(r"(\d+)([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_age(text: str) -> timedelta:
    """ "24h", "90m", "7d" → a timedelta; anything else is a usage error."""
    found = _AGE.fullmatch(text.strip())
    if found is None:
        raise typer.BadParameter("a number and a unit, m, h or d: 90m, 24h, 7d")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


@portal_app.command("prune-photos")
def prune_photos(
    older_than: Annotated[
        str, typer.Option(help="sent longer ago than this: 90m, 24h, 7d (at least 1h)")
    ] = "24h",
) -> None:
    """Delete the photos shoppers sent with a form they never confirmed (no return took them),
    rows and files under the data dir. Safe to run from cron: a run finds what is left."""
    age = parse_age(older_than)
    settings = get_settings()
    uow = UnitOfWork(create_session_factory(create_db_engine(settings)))
    try:
        pruned = prune_unattached_photos(uow, settings.data_dir, SystemClock().now(), age)
    except ValueError as error:
        _err.print(f"error: {error}")
        raise typer.Exit(1) from None
    for photo in pruned:
        missing = "" if photo.had_file else " (file already gone)"
        _out.print(
            f"{photo.path} {photo.byte_size} bytes, sent {photo.created_at:%Y-%m-%d %H:%M} UTC"
            f"{missing}"
        )
    freed = sum(photo.byte_size for photo in pruned if photo.had_file)
    _out.print(f"{len(pruned)} unattached photo(s) removed, {freed} bytes freed")
