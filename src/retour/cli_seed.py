"""`retour seed …`: the demo store, or a store of N orders for the reports at scale."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from retour.cli_common import err, fail, open_uow, out
from retour.db.engine import create_db_engine
from retour.db.migrate import upgrade
from retour.settings import Settings, get_settings

seed_app = typer.Typer(help="Sample data.", no_args_is_help=True)


@seed_app.command("demo")
def seed_demo(
    orders: Annotated[
        int | None,
        typer.Option(
            min=1, help="instead, a store of this many orders over a year (docs/metrics.md)"
        ),
    ] = None,
    store: Annotated[str, typer.Option(help="with --orders: the new store's slug")] = "scale",
) -> None:
    """Create the demo store with two years of orders and returns (skipped if it exists), or
    with --orders N a store of N orders and about N/4 returns for reports at scale."""
    from retour.demo.seed import seed_demo_store

    settings = get_settings()
    if settings.env == "production":
        raise fail("the demo store has a published API key and password; not in production")
    upgrade(create_db_engine(settings))
    if orders is not None:
        _seed_scale(settings, orders, store)
        return
    created = seed_demo_store(open_uow(settings), progress=out)
    out.print("demo store seeded" if created else "demo store already exists; nothing changed")


def _seed_scale(settings: Settings, orders: int, slug: str) -> None:
    from retour.demo.scale import seed_scale_store, store_orders

    engine = create_db_engine(settings)
    existing = store_orders(engine, slug)
    if existing is not None:
        raise fail(
            f"store {slug!r} already exists ({existing} orders); nothing changed — "
            "choose another slug with --store"
        )
    with Progress(
        TextColumn("seeding orders"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err,
    ) as bar:  # fmt: skip
        task = bar.add_task("orders", total=orders)
        loaded = seed_scale_store(
            engine, orders, lambda done: bar.update(task, completed=done), slug=slug
        )
    out.print(
        f"store {slug!r}: {loaded.orders} orders, {loaded.order_lines} order lines, "
        f"{loaded.returns} returns, {loaded.return_lines} return lines "
        f"in {loaded.seconds:.1f} s"
    )
