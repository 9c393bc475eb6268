"""return facts: one row per return with its order's moment, status, currency, the shopper's
e-mail and the first moment of each milestone event, kept by triggers on returns, orders and
events (db/models/report_rollups.py), so that time to refund, stage times, costs and repeat
returners need not group a million events

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:00:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: Each milestone column and the event whose first occurrence it keeps.
MILESTONES = {
    "approved_at": "return.approved",
    "received_at": "return.received",
    "inspected_at": "return.inspected",
    "completed_at": "return.completed",
}
FACTS = (
    "INSERT INTO return_facts (return_id, store_id, order_id, requested_at, order_placed_at,"
    " status, currency, customer_email, returned_value, valued_lines, "
    + ", ".join(MILESTONES)
    + ")"
)
#: The returned value of a return's lines that have an order line, and how many they are, from
#: the line facts `lf` (migration 0012) of {where}.
LINE_SUMS = (
    "SELECT lf.return_id, COALESCE(SUM(lf.value), 0) AS value, COUNT(*) AS lines"
    " FROM {source} lf WHERE lf.order_line_id IS NOT NULL{where} GROUP BY lf.return_id"
)
_NAMES = ", ".join(f"'{name}'" for name in MILESTONES.values())
#: The fact rows of the returns `r` of {source}, their milestones looked up per return (for a
#: few rows: each return's events by the events' return index). A new return has no lines yet
#: (they point at it): their value is added as their line facts are written (`_values_moved`).
FACT_ROWS = (
    " SELECT r.id, r.store_id, r.order_id, r.created_at, o.placed_at, r.status, r.currency,"
    " r.customer_email, 0, 0, "
    + ", ".join(
        f"(SELECT MIN(e.occurred_at) FROM events e WHERE e.return_id = r.id AND e.name = '{name}')"
        for name in MILESTONES.values()
    )
    + " FROM {source} r JOIN orders o ON o.id = r.order_id"
)
#: The same for many returns at once: the events grouped once ({where} limits both sides).
FACT_ROWS_GROUPED = (
    " SELECT r.id, r.store_id, r.order_id, r.created_at, o.placed_at, r.status, r.currency,"
    " r.customer_email, COALESCE(v.value, 0), COALESCE(v.lines, 0), "
    + ", ".join(f"m.{column}" for column in MILESTONES)
    + " FROM returns r JOIN orders o ON o.id = r.order_id LEFT JOIN ("
    + LINE_SUMS.format(source="return_line_facts", where="{lines}")
    + ") v ON v.return_id = r.id LEFT JOIN (SELECT e.return_id, "
    + ", ".join(
        f"MIN(CASE WHEN e.name = '{name}' THEN e.occurred_at END) AS {column}"
        for column, name in MILESTONES.items()
    )
    + f" FROM events e WHERE e.return_id IS NOT NULL AND e.name IN ({_NAMES}){{events}}"
    " GROUP BY e.return_id) m ON m.return_id = r.id{where}"
)
RETURN_COLUMNS = "status, currency, store_id, customer_email, order_id, created_at"
LINE_FACT_COLUMNS = "value, order_line_id, return_id"
FACT_CHANGED = (
    "UPDATE return_facts SET status = NEW.status, currency = NEW.currency,"
    " store_id = NEW.store_id, customer_email = NEW.customer_email, order_id = NEW.order_id,"
    " requested_at = NEW.created_at,"
    " order_placed_at = (SELECT o.placed_at FROM orders o WHERE o.id = NEW.order_id)"
    " WHERE return_id = NEW.id"
)
FACT_PLACED = "UPDATE return_facts SET order_placed_at = NEW.placed_at WHERE order_id = NEW.id"
DEFERRED = "current_setting('retour.rollups_deferred', true) = 'on'"
#: As migration 0012's statement triggers: look each row up by its key.
BY_KEY = " SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off"


def _values_moved(source: str, sign: str) -> str:
    """Add (`sign` 1) or take away (-1) the value of the line facts in `source` from their
    returns' facts."""
    sums = LINE_SUMS.format(source=source, where="")
    return (
        f"UPDATE return_facts SET returned_value = returned_value + {sign} * d.value,"
        f" valued_lines = valued_lines + {sign} * d.lines FROM ({sums}) d"
        " WHERE return_facts.return_id = d.return_id"
    )


def _row_value_moved(row: str, sign: str) -> str:
    """The same for one line fact row (`OLD` or `NEW`)."""
    return (
        f"UPDATE return_facts SET returned_value = returned_value + {sign} *"
        f" COALESCE({row}.value, 0), valued_lines = valued_lines + {sign}"
        f" WHERE return_id = {row}.return_id AND {row}.order_line_id IS NOT NULL"
    )


def _earlier(column: str, moment: str) -> str:
    """SQLite: `column` becomes `moment` when it is earlier (or the column is empty)."""
    return f"CASE WHEN {column} IS NULL OR {moment} < {column} THEN {moment} ELSE {column} END"


def _rollups_0012() -> ModuleType:
    path = Path(__file__).with_name("0012_report_rollups.py")
    spec = importlib.util.spec_from_file_location("retour_migration_0012", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rebuild_function(with_return_facts: bool) -> str:
    """`retour_rebuild_rollups(store)`: 0012's, and (from 0014 on) the store's return facts."""
    body = str(_rollups_0012().REBUILD_FUNCTION).replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
    )
    if not with_return_facts:
        return body
    grouped = FACT_ROWS_GROUPED.format(
        events=" AND e.store_id = rebuilt",
        lines=" AND lf.store_id = rebuilt",
        where=" WHERE r.store_id = rebuilt",
    )
    # The facts go first, so that rebuilding the line facts has no return facts to add to.
    first = "BEGIN\n    DELETE FROM return_facts WHERE store_id = rebuilt;\n"
    last = f"    {FACTS}{grouped};\n"
    return body.replace("BEGIN\n", first, 1).replace("END $$", last + "END $$")


def _postgresql_function(name: str, body: list[str], per_statement: bool) -> str:
    statements = "".join(f"    {statement};\n" for statement in body)
    settings = BY_KEY if per_statement else ""
    skip = f"    IF {DEFERRED} THEN RETURN NULL; END IF;\n" if per_statement else ""
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql{settings} AS $$\nBEGIN\n"
        f"{skip}{statements}    RETURN NULL;\nEND $$"
    )


def _milestones_reached() -> str:
    """PostgreSQL: the new events (`changed`) move their returns' milestones earlier."""
    firsts = ", ".join(
        f"MIN(CASE WHEN name = '{name}' THEN occurred_at END) AS {column}"
        for column, name in MILESTONES.items()
    )
    sets = ", ".join(f"{column} = LEAST(f.{column}, m.{column})" for column in MILESTONES)
    return (
        f"UPDATE return_facts f SET {sets} FROM (SELECT return_id, {firsts} FROM changed"
        f" WHERE return_id IS NOT NULL AND name IN ({_NAMES}) GROUP BY return_id) m"
        " WHERE f.return_id = m.return_id"
    )


def _postgresql_statements() -> list[str]:
    each_statement = "FOR EACH STATEMENT EXECUTE FUNCTION"
    moved = "({old}) IS DISTINCT FROM ({new})".format(
        old=", ".join(f"OLD.{c.strip()}" for c in RETURN_COLUMNS.split(",")),
        new=", ".join(f"NEW.{c.strip()}" for c in RETURN_COLUMNS.split(",")),
    )
    line_moved = "({old}) IS DISTINCT FROM ({new})".format(
        old=", ".join(f"OLD.{c.strip()}" for c in LINE_FACT_COLUMNS.split(",")),
        new=", ".join(f"NEW.{c.strip()}" for c in LINE_FACT_COLUMNS.split(",")),
    )
    return [
        _postgresql_function(
            "retour_return_facts_added", [FACTS + FACT_ROWS.format(source="changed")], True
        ),
        _postgresql_function(
            "retour_return_facts_removed",
            ["DELETE FROM return_facts WHERE return_id IN (SELECT id FROM changed)"],
            True,
        ),
        _postgresql_function("retour_return_facts_changed", [FACT_CHANGED], False),
        _postgresql_function("retour_return_facts_placed", [FACT_PLACED], False),
        _postgresql_function("retour_return_facts_milestones", [_milestones_reached()], True),
        _postgresql_function(
            "retour_return_facts_lines_added", [_values_moved("changed", "1")], True
        ),
        _postgresql_function(
            "retour_return_facts_lines_removed", [_values_moved("changed", "-1")], True
        ),
        _postgresql_function(
            "retour_return_facts_line_changed",
            [_row_value_moved("OLD", "-1"), _row_value_moved("NEW", "1")],
            False,
        ),
        "CREATE TRIGGER returns_return_facts_insert AFTER INSERT ON returns REFERENCING NEW"
        f" TABLE AS changed {each_statement} retour_return_facts_added()",
        "CREATE TRIGGER returns_return_facts_delete AFTER DELETE ON returns REFERENCING OLD"
        f" TABLE AS changed {each_statement} retour_return_facts_removed()",
        f"CREATE TRIGGER returns_return_facts_update AFTER UPDATE OF {RETURN_COLUMNS} ON returns"
        f" FOR EACH ROW WHEN ({moved}) EXECUTE FUNCTION retour_return_facts_changed()",
        "CREATE TRIGGER orders_return_facts_placed AFTER UPDATE OF placed_at ON orders"
        " FOR EACH ROW WHEN (OLD.placed_at IS DISTINCT FROM NEW.placed_at)"
        " EXECUTE FUNCTION retour_return_facts_placed()",
        "CREATE TRIGGER events_return_facts_insert AFTER INSERT ON events REFERENCING NEW"
        f" TABLE AS changed {each_statement} retour_return_facts_milestones()",
        "CREATE TRIGGER line_facts_return_facts_insert AFTER INSERT ON return_line_facts"
        f" REFERENCING NEW TABLE AS changed {each_statement} retour_return_facts_lines_added()",
        "CREATE TRIGGER line_facts_return_facts_delete AFTER DELETE ON return_line_facts"
        f" REFERENCING OLD TABLE AS changed {each_statement} retour_return_facts_lines_removed()",
        f"CREATE TRIGGER line_facts_return_facts_update AFTER UPDATE OF {LINE_FACT_COLUMNS}"
        f" ON return_line_facts FOR EACH ROW WHEN ({line_moved})"
        " EXECUTE FUNCTION retour_return_facts_line_changed()",
    ]


def _sqlite_statements() -> list[str]:
    line_moved = " OR ".join(
        f"OLD.{c.strip()} IS NOT NEW.{c.strip()}" for c in LINE_FACT_COLUMNS.split(",")
    )
    moved = " OR ".join(
        f"OLD.{c.strip()} IS NOT NEW.{c.strip()}" for c in RETURN_COLUMNS.split(",")
    )
    sets = ", ".join(
        f"{column} = CASE WHEN NEW.name = '{name}' THEN"
        f" {_earlier(column, 'NEW.occurred_at')} ELSE {column} END"
        for column, name in MILESTONES.items()
    )
    return [
        "CREATE TRIGGER returns_return_facts_insert AFTER INSERT ON returns BEGIN"
        f" {FACTS}{FACT_ROWS.format(source='returns')} WHERE r.id = NEW.id; END",
        "CREATE TRIGGER returns_return_facts_delete AFTER DELETE ON returns BEGIN"
        " DELETE FROM return_facts WHERE return_id = OLD.id; END",
        f"CREATE TRIGGER returns_return_facts_update AFTER UPDATE OF {RETURN_COLUMNS} ON returns"
        f" WHEN {moved} BEGIN {FACT_CHANGED}; END",
        "CREATE TRIGGER orders_return_facts_placed AFTER UPDATE OF placed_at ON orders"
        f" WHEN OLD.placed_at IS NOT NEW.placed_at BEGIN {FACT_PLACED}; END",
        "CREATE TRIGGER events_return_facts_insert AFTER INSERT ON events"
        f" WHEN NEW.return_id IS NOT NULL AND NEW.name IN ({_NAMES}) BEGIN"
        f" UPDATE return_facts SET {sets} WHERE return_id = NEW.return_id; END",
        "CREATE TRIGGER line_facts_return_facts_insert AFTER INSERT ON return_line_facts"
        f" BEGIN {_row_value_moved('NEW', '1')}; END",
        "CREATE TRIGGER line_facts_return_facts_delete AFTER DELETE ON return_line_facts"
        f" BEGIN {_row_value_moved('OLD', '-1')}; END",
        f"CREATE TRIGGER line_facts_return_facts_update AFTER UPDATE OF {LINE_FACT_COLUMNS}"
        f" ON return_line_facts WHEN {line_moved} BEGIN {_row_value_moved('OLD', '-1')};"
        f" {_row_value_moved('NEW', '1')}; END",
    ]


TRIGGERS = {
    "returns": (
        "returns_return_facts_insert",
        "returns_return_facts_delete",
        "returns_return_facts_update",
    ),
    "orders": ("orders_return_facts_placed",),
    "events": ("events_return_facts_insert",),
    "return_line_facts": (
        "line_facts_return_facts_insert",
        "line_facts_return_facts_delete",
        "line_facts_return_facts_update",
    ),
}
FUNCTIONS = (
    "retour_return_facts_added",
    "retour_return_facts_removed",
    "retour_return_facts_changed",
    "retour_return_facts_placed",
    "retour_return_facts_milestones",
    "retour_return_facts_lines_added",
    "retour_return_facts_lines_removed",
    "retour_return_facts_line_changed",
)


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def create_triggers() -> None:
    """Also for any later migration that rebuilds returns, orders, events or return_line_facts
    on SQLite."""
    statements = _postgresql_statements() if _postgresql() else _sqlite_statements()
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "return_facts",
        sa.Column("return_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("customer_email", sa.String(length=254), nullable=False),
        sa.Column("returned_value", sa.BigInteger(), nullable=False),
        sa.Column("valued_lines", sa.Integer(), nullable=False),
        *(sa.Column(column, sa.DateTime(timezone=True), nullable=True) for column in MILESTONES),
        sa.PrimaryKeyConstraint("return_id", name=op.f("pk_return_facts")),
    )
    with op.batch_alter_table("return_facts", schema=None) as batch_op:
        batch_op.create_index("ix_return_facts_requested", ["store_id", "requested_at"])
        batch_op.create_index("ix_return_facts_ordered", ["store_id", "order_placed_at"])
    # What is there already, then every change from now on.
    op.execute(FACTS + FACT_ROWS_GROUPED.format(events="", lines="", where=""))
    create_triggers()
    if _postgresql():
        op.execute(_rebuild_function(with_return_facts=True))


def downgrade() -> None:
    postgresql = _postgresql()
    for table, names in TRIGGERS.items():
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute(_rebuild_function(with_return_facts=False))
    with op.batch_alter_table("return_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_return_facts_ordered")
        batch_op.drop_index("ix_return_facts_requested")
    op.drop_table("return_facts")
