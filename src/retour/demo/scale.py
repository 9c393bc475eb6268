"""`retour seed demo --orders N`: a store with N orders over a year and their returns, fast.

About a quarter of the orders get a return (each line comes back at its category's published
rate, scale_catalog.py), with a weekly rhythm, Black Friday and a holiday peak; returns that got
that far have their milestone events, inspections, labels and refunds. Deterministic: the same
N gives the same rows. PostgreSQL loads them with COPY, SQLite with batched inserts; either way
the triggers on `returns` write the store's status tallies (db/models/tallies.py). The reports'
rollups (db/models/report_rollups.py): SQLite's triggers write them row by row and the load
folds them at the end; on PostgreSQL the batches defer them and the load rebuilds the store's
at the end in one pass (`retour_rebuild_rollups`), which is much cheaper than per batch.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Table, func, insert, select, text

from retour.db.base import Base
from retour.db.engine import create_session_factory
from retour.db.models import InventoryLocation, OrderRow, Store
from retour.db.unit_of_work import UnitOfWork
from retour.demo.scale_catalog import DAYS, NOW, VariantPicker, catalog, day_weights
from retour.demo.scale_rows import COLUMNS, Counts, Offsets, OrderMaker, Rows
from retour.services.reports.rollups import fold_sales
from retour.services.stores import create_store

SCALE_STORE_SLUG = "scale"
RANDOM_SEED = 9
BATCH = 5000
#: Tables whose ids the seed gives (so that lines can point at their orders without a read).
NUMBERED = ("products", "variants", "orders", "order_lines", "returns", "return_lines")


@dataclass(frozen=True)
class ScaleSeed:
    """What one load made."""

    store_id: int
    orders: int
    order_lines: int
    returns: int
    return_lines: int
    seconds: float


def store_orders(engine: Engine, slug: str) -> int | None:
    """How many orders the store `slug` has; None if there is no such store."""
    with engine.connect() as connection:
        store_id = connection.scalar(select(Store.id).where(Store.slug == slug))
        if store_id is None:
            return None
        count = select(func.count()).select_from(OrderRow).where(OrderRow.store_id == store_id)
        return int(connection.scalar(count) or 0)


def seed_scale_store(
    engine: Engine,
    orders: int,
    progress: Callable[[int], None] | None = None,
    *,
    slug: str = SCALE_STORE_SLUG,
    name: str = "Scale Demo",
) -> ScaleSeed:
    """Create the store `slug` with `orders` orders; `progress(orders done)` after each batch."""
    started = time.perf_counter()
    uow = UnitOfWork(create_session_factory(engine))
    opened = NOW - timedelta(days=DAYS + 1)
    store_id = create_store(
        uow, slug=slug, name=name, currency="EUR", timezone="Europe/Paris", now=opened
    )
    with engine.begin() as connection:
        offsets = Offsets(**{table: _largest_id(connection, table) for table in NUMBERED})
        location_id = connection.scalar(
            select(InventoryLocation.id).where(
                InventoryLocation.store_id == store_id, InventoryLocation.is_default
            )
        )
        _load_catalog(connection, store_id, offsets)
    maker = OrderMaker(
        store_id=store_id, location_id=int(location_id or 0), offsets=offsets,
        variants=VariantPicker(catalog()), days=day_weights(), customers=orders // 4 + 100,
        rng=random.Random(RANDOM_SEED),
    )  # fmt: skip
    postgresql = engine.dialect.name == "postgresql"
    write = _copy_rows if postgresql else _insert_rows
    for first in range(0, orders, BATCH):
        rows: Rows = {table: [] for table in COLUMNS}
        for _ in range(min(BATCH, orders - first)):
            maker.order(rows)
        with engine.begin() as connection:
            if postgresql:  # rollups rebuilt once at the end (migration 0012)
                connection.exec_driver_sql("SET LOCAL retour.rollups_deferred = 'on'")
            for table, table_rows in rows.items():
                if table_rows:
                    write(connection, table, table_rows)
        if progress is not None:
            progress(maker.counts.orders)
    _roll_up(engine, store_id)
    _finish(engine)
    counts: Counts = maker.counts
    return ScaleSeed(
        store_id=store_id, orders=counts.orders, order_lines=counts.lines,
        returns=counts.returns, return_lines=counts.return_lines,
        seconds=time.perf_counter() - started,
    )  # fmt: skip


def _largest_id(connection: Connection, table: str) -> int:
    return int(connection.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0)


def _load_catalog(connection: Connection, store_id: int, offsets: Offsets) -> None:
    variants = catalog()
    products = {variant.product: variant.category.name for variant in variants}
    _insert_rows(connection, "products", [
        (offsets.products + p, store_id, f"product-{p}", f"Product {p}", category, [], True,
         False)
        for p, category in products.items()
    ], ("id", "store_id", "handle", "title", "collection", "tags", "is_returnable",
        "is_final_sale"))  # fmt: skip
    _insert_rows(connection, "variants", [
        (offsets.variants + v.index, store_id, offsets.products + v.product, f"SKU-{v.index}",
         f"Variant {v.index}", {}, v.price, "", 300)
        for v in variants
    ], ("id", "store_id", "product_id", "sku", "title", "options", "price", "barcode",
        "weight_grams"))  # fmt: skip


def _insert_rows(connection: Connection, table: str, rows: list[tuple[Any, ...]],
                 columns: tuple[str, ...] | None = None) -> None:  # fmt: skip
    """Batched INSERTs through SQLAlchemy (which fills the columns' Python defaults)."""
    names = columns or COLUMNS[table]
    connection.execute(insert(_table(table)), [dict(zip(names, row, strict=True)) for row in rows])


def _copy_rows(connection: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY … FROM STDIN (psycopg 3), adding the columns whose defaults live in Python."""
    names, defaults = COLUMNS[table], _python_defaults(table)
    json_at = [
        i for i, column in enumerate(names) if isinstance(_table(table).c[column].type, JSON)
    ]
    columns = ", ".join((*names, *defaults))
    extra = tuple(defaults.values())
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = list(row)
            for at in json_at:
                values[at] = json.dumps(values[at])
            copy.write_row((*values, *extra))


def _python_defaults(table: str) -> dict[str, Any]:
    """Columns COPY would leave NULL: their SQLAlchemy default, as COPY text."""
    found: dict[str, Any] = {}
    for column in _table(table).columns:
        default = column.default
        if column.name in COLUMNS[table] or default is None or default.is_sequence:
            continue
        value = default.arg if default.is_scalar else default.arg(None)  # type: ignore[attr-defined]
        found[column.name] = json.dumps(value) if isinstance(column.type, JSON) else value
    return found


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _roll_up(engine: Engine, store_id: int) -> None:
    """PostgreSQL: the store's rollups in one pass (its batches deferred them); SQLite, whose
    triggers wrote them row by row: the sales tallies folded."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT retour_rebuild_rollups(:store)"), {"store": store_id})
        return
    uow = UnitOfWork(create_session_factory(engine))
    with uow:
        fold_sales(uow, store_id, date.min, date.max)
        uow.commit()


def _finish(engine: Engine) -> None:
    """Move the id sequences past the ids given, lay the return lines' fact rows out in the
    order of their requests (as a live store appends them; the seed writes them in the order
    of the orders), and refresh the planner's statistics."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in NUMBERED:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            connection.exec_driver_sql(
                "CLUSTER return_line_facts USING ix_return_line_facts_requested"
            )
        connection.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":  # the folds' deleted rows, out of the indexes
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM sales_day_tallies, return_line_facts")
