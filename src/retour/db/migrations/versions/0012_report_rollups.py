"""report rollups: sales per store day, currency and SKU, and one narrow fact row per return
line, kept by triggers (db/models/report_rollups.py) so the dashboard need not scan a million
orders

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SALES = "INSERT INTO sales_day_tallies (store_id, day, currency, sku, orders, units, value, folded)"
#: What the units of order line `l` were sold for: its price after its discounts, no tax.
SOLD = (
    "CASE WHEN {l}.quantity > 0 THEN CAST({l}.unit_price AS BIGINT) * {l}.quantity"
    " - {l}.line_discount - {l}.order_discount_allocated ELSE 0 END"
)
FACTS = (
    "INSERT INTO return_line_facts (return_line_id, store_id, return_id, order_id,"
    " order_line_id, variant_id, requested_at, order_placed_at, status, currency, reason_code,"
    " sku, title, resolution, is_unexpected, units, value)"
)
#: The fact row of each return line `rl` (from {source}), as the reports' old joins saw it.
FACT_ROWS = (
    " SELECT rl.id, r.store_id, r.id, r.order_id, rl.order_line_id, rl.variant_id,"
    " r.created_at, o.placed_at, r.status, r.currency, rl.reason_code, rl.sku, rl.title,"
    " rl.resolution, rl.is_unexpected, rl.requested_quantity,"
    " CASE WHEN ol.quantity > 0 THEN CAST(rl.requested_quantity AS BIGINT)"
    " * (CAST(ol.unit_price AS BIGINT) * ol.quantity - ol.line_discount"
    " - ol.order_discount_allocated) / ol.quantity END"
    " FROM {source} rl JOIN returns r ON r.id = rl.return_id JOIN orders o ON o.id = r.order_id"
    " LEFT JOIN order_lines ol ON ol.id = rl.order_line_id"
)
FACT_VALUE = (
    "UPDATE return_line_facts SET value = CASE WHEN NEW.quantity > 0 THEN CAST(units AS BIGINT)"
    " * (CAST(NEW.unit_price AS BIGINT) * NEW.quantity - NEW.line_discount"
    " - NEW.order_discount_allocated) / NEW.quantity END WHERE order_line_id = NEW.id"
)
FACT_STATUS = (
    "UPDATE return_line_facts SET status = NEW.status, currency = NEW.currency,"
    " store_id = NEW.store_id WHERE return_id = NEW.id"
)
FACT_PLACED = "UPDATE return_line_facts SET order_placed_at = NEW.placed_at WHERE order_id = NEW.id"
LINE_COLUMNS = "sku, quantity, unit_price, line_discount, order_discount_allocated, order_id"
ORDER_COLUMNS = "placed_at, currency, store_id"
RETURN_LINE_COLUMNS = (
    "requested_quantity, resolution, reason_code, sku, title, is_unexpected, order_line_id,"
    " variant_id, return_id"
)


def _day(moment: str, timezone: str, postgresql: bool) -> str:
    if postgresql:
        return f"CAST(({moment} AT TIME ZONE {timezone}) AS DATE)"
    return f"retour_store_day({moment}, {timezone})"


def _orders_sold(source: str, sign: str, where: str, postgresql: bool) -> str:
    """One row per store, day and currency counting the orders of `source`."""
    day = _day("o.placed_at", "s.timezone", postgresql)
    return (
        f"{SALES} SELECT o.store_id, {day}, o.currency, '', {sign} * COUNT(*), 0, 0, FALSE"
        f" FROM {source} o JOIN stores s ON s.id = o.store_id {where}"
        f" GROUP BY o.store_id, {day}, o.currency"
    )


def _lines_sold(source: str, sign: str, where: str, postgresql: bool) -> str:
    """One row per store, day, currency and SKU with the units and value of `source`'s lines."""
    day = _day("o.placed_at", "s.timezone", postgresql)
    return (
        f"{SALES} SELECT o.store_id, {day}, o.currency, l.sku, 0, {sign} * SUM(l.quantity),"
        f" {sign} * SUM({SOLD.format(l='l')}), FALSE"
        f" FROM {source} l JOIN orders o ON o.id = l.order_id JOIN stores s ON s.id = o.store_id"
        f" {where} GROUP BY o.store_id, {day}, o.currency, l.sku"
    )


def _line_moved(row: str, sign: str, postgresql: bool) -> str:
    """The sales row of one order line as it is in `row` (OLD or NEW), with `sign`."""
    day = _day("o.placed_at", "s.timezone", postgresql)
    return (
        f"{SALES} SELECT o.store_id, {day}, o.currency, {row}.sku, 0, {sign} * {row}.quantity,"
        f" {sign} * ({SOLD.format(l=row)}), FALSE FROM orders o JOIN stores s"
        f" ON s.id = o.store_id WHERE o.id = {row}.order_id"
    )


def _order_moved(row: str, sign: str, postgresql: bool) -> list[str]:
    """The sales rows of one order (itself and its lines) as `row` (OLD or NEW) places them."""
    day = _day(f"{row}.placed_at", "s.timezone", postgresql)
    return [
        f"{SALES} SELECT {row}.store_id, {day}, {row}.currency, '', {sign}, 0, 0, FALSE"
        f" FROM stores s WHERE s.id = {row}.store_id",
        f"{SALES} SELECT {row}.store_id, {day}, {row}.currency, l.sku, 0, {sign} * SUM(l.quantity),"
        f" {sign} * SUM({SOLD.format(l='l')}), FALSE FROM order_lines l JOIN stores s"
        f" ON s.id = {row}.store_id WHERE l.order_id = NEW.id GROUP BY l.sku, s.timezone",
    ]


def _store_rebuilt(postgresql: bool, store: str = "NEW.id") -> list[str]:
    """A store's sales rows again (for its new timezone, or after a bulk load)."""
    return [
        f"DELETE FROM sales_day_tallies WHERE store_id = {store}",
        _orders_sold("orders", "1", f"WHERE o.store_id = {store}", postgresql),
        _lines_sold("order_lines", "1", f"WHERE o.store_id = {store}", postgresql),
    ]


#: A bulk load of one store (the scale seed) may skip the per-statement triggers with
#: `SET LOCAL retour.rollups_deferred = 'on'` and call this once at the end instead.
REBUILD_FUNCTION = (
    "CREATE FUNCTION retour_rebuild_rollups(rebuilt integer) RETURNS void LANGUAGE plpgsql"
    " AS $$\nBEGIN\n"
    + "".join(f"    {statement};\n" for statement in _store_rebuilt(True, "rebuilt"))
    + "    UPDATE sales_day_tallies SET folded = TRUE WHERE store_id = rebuilt;\n"
    + "    DELETE FROM return_line_facts WHERE store_id = rebuilt;\n"
    + f"    {FACTS}{FACT_ROWS.format(source='return_lines')} WHERE r.store_id = rebuilt;\n"
    + "END $$"
)
DEFERRED = "current_setting('retour.rollups_deferred', true) = 'on'"


#: For the triggers of many rows at once (a COPY of thousands): look each row's order up by its
#: key. The planner would otherwise hash-join a big batch against a whole scan of `orders`, so a
#: load in batches would read the table once per batch.
BY_KEY = " SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off"
PER_STATEMENT = {
    "retour_sales_orders",
    "retour_sales_lines",
    "retour_facts_added",
    "retour_facts_removed",
}


def _postgresql_function(name: str, body: list[str]) -> str:
    statements = "".join(f"    {statement};\n" for statement in body)
    settings, skip = "", ""
    if name in PER_STATEMENT:
        settings = BY_KEY
        skip = f"    IF {DEFERRED} THEN RETURN NULL; END IF;\n"
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql{settings} AS $$\nBEGIN\n"
        f"{skip}{statements}    RETURN NULL;\nEND $$"
    )


def _postgresql_statements() -> list[str]:
    sign = "CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END"
    functions = {
        "retour_sales_orders": [_orders_sold("changed", sign, "", True)],
        "retour_sales_lines": [_lines_sold("changed", sign, "", True)],
        "retour_sales_line_changed": [
            _line_moved("OLD", "-1", True),
            _line_moved("NEW", "1", True),
            FACT_VALUE,
        ],
        "retour_sales_order_changed": [
            *_order_moved("OLD", "-1", True),
            *_order_moved("NEW", "1", True),
            FACT_PLACED,
        ],
        "retour_sales_store_timezone": _store_rebuilt(True),
        "retour_facts_added": [FACTS + FACT_ROWS.format(source="changed")],
        "retour_facts_removed": [
            "DELETE FROM return_line_facts WHERE return_line_id IN (SELECT id FROM changed)"
        ],
        "retour_facts_line_changed": [
            "DELETE FROM return_line_facts WHERE return_line_id = NEW.id",
            FACTS + FACT_ROWS.format(source="return_lines") + " WHERE rl.id = NEW.id",
        ],
        "retour_facts_return_changed": [FACT_STATUS],
    }
    moved = "WHEN (({columns}) IS DISTINCT FROM ({old}))"
    line_moved = moved.format(
        columns=", ".join(f"OLD.{c.strip()}" for c in LINE_COLUMNS.split(",")),
        old=", ".join(f"NEW.{c.strip()}" for c in LINE_COLUMNS.split(",")),
    )
    order_moved = moved.format(
        columns=", ".join(f"OLD.{c.strip()}" for c in ORDER_COLUMNS.split(",")),
        old=", ".join(f"NEW.{c.strip()}" for c in ORDER_COLUMNS.split(",")),
    )
    each_statement = "FOR EACH STATEMENT EXECUTE FUNCTION"
    triggers = [
        "CREATE TRIGGER orders_sales_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS"
        f" changed {each_statement} retour_sales_orders()",
        "CREATE TRIGGER orders_sales_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS"
        f" changed {each_statement} retour_sales_orders()",
        f"CREATE TRIGGER orders_sales_update AFTER UPDATE OF {ORDER_COLUMNS} ON orders"
        f" FOR EACH ROW {order_moved} EXECUTE FUNCTION retour_sales_order_changed()",
        "CREATE TRIGGER order_lines_sales_insert AFTER INSERT ON order_lines REFERENCING NEW"
        f" TABLE AS changed {each_statement} retour_sales_lines()",
        "CREATE TRIGGER order_lines_sales_delete AFTER DELETE ON order_lines REFERENCING OLD"
        f" TABLE AS changed {each_statement} retour_sales_lines()",
        f"CREATE TRIGGER order_lines_sales_update AFTER UPDATE OF {LINE_COLUMNS} ON order_lines"
        f" FOR EACH ROW {line_moved} EXECUTE FUNCTION retour_sales_line_changed()",
        "CREATE TRIGGER stores_sales_timezone AFTER UPDATE OF timezone ON stores FOR EACH ROW"
        " WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)"
        " EXECUTE FUNCTION retour_sales_store_timezone()",
        "CREATE TRIGGER return_lines_facts_insert AFTER INSERT ON return_lines REFERENCING NEW"
        f" TABLE AS changed {each_statement} retour_facts_added()",
        "CREATE TRIGGER return_lines_facts_delete AFTER DELETE ON return_lines REFERENCING OLD"
        f" TABLE AS changed {each_statement} retour_facts_removed()",
        f"CREATE TRIGGER return_lines_facts_update AFTER UPDATE OF {RETURN_LINE_COLUMNS}"
        " ON return_lines FOR EACH ROW EXECUTE FUNCTION retour_facts_line_changed()",
        "CREATE TRIGGER returns_facts_update AFTER UPDATE OF status, currency, store_id"
        " ON returns FOR EACH ROW WHEN ((OLD.status, OLD.currency, OLD.store_id) IS DISTINCT"
        " FROM (NEW.status, NEW.currency, NEW.store_id))"
        " EXECUTE FUNCTION retour_facts_return_changed()",
    ]
    made = [_postgresql_function(name, body) for name, body in functions.items()]
    return [*made, REBUILD_FUNCTION, *triggers]


def _sqlite_trigger(name: str, event: str, body: list[str], when: str = "") -> str:
    statements = " ".join(f"{statement};" for statement in body)
    return f"CREATE TRIGGER {name} AFTER {event} {when} BEGIN {statements} END"


def _sqlite_statements() -> list[str]:
    def moved(columns: str) -> str:
        names = [c.strip() for c in columns.split(",")]
        return "WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in names)

    one_order = "(SELECT {row}.id AS id, {row}.store_id AS store_id, {row}.currency AS currency,"
    one_order += " {row}.placed_at AS placed_at)"
    one_line = (
        "(SELECT {row}.order_id AS order_id, {row}.sku AS sku, {row}.quantity AS quantity,"
        " {row}.unit_price AS unit_price, {row}.line_discount AS line_discount,"
        " {row}.order_discount_allocated AS order_discount_allocated)"
    )
    return [
        _sqlite_trigger(
            "orders_sales_insert",
            "INSERT ON orders",
            [_orders_sold(one_order.format(row="NEW"), "1", "", False)],
        ),
        _sqlite_trigger(
            "orders_sales_delete",
            "DELETE ON orders",
            [_orders_sold(one_order.format(row="OLD"), "-1", "", False)],
        ),
        _sqlite_trigger(
            "orders_sales_update",
            f"UPDATE OF {ORDER_COLUMNS} ON orders",
            [*_order_moved("OLD", "-1", False), *_order_moved("NEW", "1", False), FACT_PLACED],
            moved(ORDER_COLUMNS),
        ),
        _sqlite_trigger(
            "order_lines_sales_insert",
            "INSERT ON order_lines",
            [_lines_sold(one_line.format(row="NEW"), "1", "", False)],
        ),
        _sqlite_trigger(
            "order_lines_sales_delete",
            "DELETE ON order_lines",
            [_lines_sold(one_line.format(row="OLD"), "-1", "", False)],
        ),
        _sqlite_trigger(
            "order_lines_sales_update",
            f"UPDATE OF {LINE_COLUMNS} ON order_lines",
            [_line_moved("OLD", "-1", False), _line_moved("NEW", "1", False), FACT_VALUE],
            moved(LINE_COLUMNS),
        ),
        _sqlite_trigger(
            "stores_sales_timezone",
            "UPDATE OF timezone ON stores",
            _store_rebuilt(False),
            "WHEN OLD.timezone IS NOT NEW.timezone",
        ),
        _sqlite_trigger(
            "return_lines_facts_insert",
            "INSERT ON return_lines",
            [FACTS + FACT_ROWS.format(source="return_lines") + " WHERE rl.id = NEW.id"],
        ),
        _sqlite_trigger(
            "return_lines_facts_delete",
            "DELETE ON return_lines",
            ["DELETE FROM return_line_facts WHERE return_line_id = OLD.id"],
        ),
        _sqlite_trigger(
            "return_lines_facts_update",
            f"UPDATE OF {RETURN_LINE_COLUMNS} ON return_lines",
            [
                "DELETE FROM return_line_facts WHERE return_line_id = NEW.id",
                FACTS + FACT_ROWS.format(source="return_lines") + " WHERE rl.id = NEW.id",
            ],
        ),
        _sqlite_trigger(
            "returns_facts_update",
            "UPDATE OF status, currency, store_id ON returns",
            [FACT_STATUS],
            "WHEN OLD.status IS NOT NEW.status OR OLD.currency IS NOT NEW.currency"
            " OR OLD.store_id IS NOT NEW.store_id",
        ),
    ]


TRIGGERS = {
    "orders": ("orders_sales_insert", "orders_sales_delete", "orders_sales_update"),
    "order_lines": (
        "order_lines_sales_insert",
        "order_lines_sales_delete",
        "order_lines_sales_update",
    ),
    "stores": ("stores_sales_timezone",),
    "return_lines": (
        "return_lines_facts_insert",
        "return_lines_facts_delete",
        "return_lines_facts_update",
    ),
    "returns": ("returns_facts_update",),
}
FUNCTIONS = (
    "retour_sales_orders",
    "retour_sales_lines",
    "retour_sales_line_changed",
    "retour_sales_order_changed",
    "retour_sales_store_timezone",
    "retour_facts_added",
    "retour_facts_removed",
    "retour_facts_line_changed",
    "retour_facts_return_changed",
)


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _register_sqlite_functions() -> None:
    """The migration may run on a connection Retour's engine did not open."""
    from retour.db import sqlite_functions

    driver = op.get_bind().connection.driver_connection
    sqlite_functions.register(driver)  # type: ignore[arg-type]


def create_triggers() -> None:
    """Also for any later migration that rebuilds these tables on SQLite (which drops them)."""
    statements = _postgresql_statements() if _postgresql() else _sqlite_statements()
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "sales_day_tallies",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("folded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_day_tallies")),
    )
    with op.batch_alter_table("sales_day_tallies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_day_tallies_store_day",
            ["store_id", "day", "sku", "currency", "folded", "orders", "units", "value"],
            unique=False,
        )
        batch_op.create_index(
            "ix_sales_day_tallies_unfolded",
            ["store_id", "day"],
            unique=False,
            postgresql_where=sa.text("NOT folded"),
            sqlite_where=sa.text("NOT folded"),
        )
    op.create_table(
        "return_line_facts",
        sa.Column("return_line_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("resolution", sa.String(length=32), nullable=False),
        sa.Column("is_unexpected", sa.Boolean(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("return_line_id", name=op.f("pk_return_line_facts")),
    )
    with op.batch_alter_table("return_line_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_return_line_facts_requested", ["store_id", "requested_at"], unique=False
        )
        batch_op.create_index(
            "ix_return_line_facts_ordered", ["store_id", "order_placed_at"], unique=False
        )
    postgresql = _postgresql()
    if not postgresql:
        _register_sqlite_functions()
    # What is there already, then every change from now on.
    op.execute(_orders_sold("orders", "1", "", postgresql))
    op.execute(_lines_sold("order_lines", "1", "", postgresql))
    op.execute("UPDATE sales_day_tallies SET folded = TRUE")  # one row per key already
    op.execute(FACTS + FACT_ROWS.format(source="return_lines"))
    create_triggers()


def downgrade() -> None:
    postgresql = _postgresql()
    for table, names in TRIGGERS.items():
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute("DROP FUNCTION IF EXISTS retour_rebuild_rollups(integer)")
    with op.batch_alter_table("return_line_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_return_line_facts_ordered")
        batch_op.drop_index("ix_return_line_facts_requested")
    op.drop_table("return_line_facts")
    with op.batch_alter_table("sales_day_tallies", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_day_tallies_unfolded")
        batch_op.drop_index("ix_sales_day_tallies_store_day")
    op.drop_table("sales_day_tallies")
