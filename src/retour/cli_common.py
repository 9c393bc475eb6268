"""What the `retour` command's modules share: its two consoles, a unit of work from the
settings, and how a command fails."""

from __future__ import annotations

import typer
from rich.console import Console

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.settings import Settings

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def open_uow(settings: Settings) -> UnitOfWork:
    return UnitOfWork(create_session_factory(create_db_engine(settings)))


def fail(message: str) -> typer.Exit:
    """Print `message` as an error; raise what this returns (exit status 1)."""
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)
