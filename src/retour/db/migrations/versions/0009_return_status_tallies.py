"""return status tallies: running counts of returns per store and status, kept by triggers
on `returns` (db/models/tallies.py), so the back office's counts need not count a million rows

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:17:05.453833
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TALLY = "INSERT INTO return_status_tallies (store_id, status, change) VALUES"
POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION retour_tally_return_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {TALLY} (OLD.store_id, OLD.status, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {TALLY} (NEW.store_id, NEW.status, 1);
    END IF;
    RETURN NULL;
END $$
"""
MOVED = "OLD.status IS DISTINCT FROM NEW.status OR OLD.store_id IS DISTINCT FROM NEW.store_id"
POSTGRESQL_TRIGGERS = [
    "CREATE TRIGGER returns_tally_insert AFTER INSERT ON returns"
    " FOR EACH ROW EXECUTE FUNCTION retour_tally_return_status()",
    "CREATE TRIGGER returns_tally_delete AFTER DELETE ON returns"
    " FOR EACH ROW EXECUTE FUNCTION retour_tally_return_status()",
    f"CREATE TRIGGER returns_tally_update AFTER UPDATE OF status, store_id ON returns"
    f" FOR EACH ROW WHEN ({MOVED}) EXECUTE FUNCTION retour_tally_return_status()",
]
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER returns_tally_insert AFTER INSERT ON returns"
    f" BEGIN {TALLY} (NEW.store_id, NEW.status, 1); END",
    f"CREATE TRIGGER returns_tally_delete AFTER DELETE ON returns"
    f" BEGIN {TALLY} (OLD.store_id, OLD.status, -1); END",
    f"CREATE TRIGGER returns_tally_update AFTER UPDATE OF status, store_id ON returns"
    f" WHEN OLD.status IS NOT NEW.status OR OLD.store_id IS NOT NEW.store_id"
    f" BEGIN {TALLY} (OLD.store_id, OLD.status, -1); {TALLY} (NEW.store_id, NEW.status, 1); END",
]
TRIGGER_NAMES = ("returns_tally_insert", "returns_tally_delete", "returns_tally_update")


def create_triggers() -> None:
    """Also for any later migration that rebuilds `returns` on SQLite (which drops them)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        statements = POSTGRESQL_TRIGGERS
    else:
        statements = SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "return_status_tallies",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_status_tallies")),
    )
    with op.batch_alter_table("return_status_tallies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_return_status_tallies_store", ["store_id", "status"], unique=False
        )
    # The returns already there, then every change from now on.
    op.execute(
        "INSERT INTO return_status_tallies (store_id, status, change)"
        " SELECT store_id, status, COUNT(*) FROM returns GROUP BY store_id, status"
    )
    create_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON returns" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS retour_tally_return_status()")
    with op.batch_alter_table("return_status_tallies", schema=None) as batch_op:
        batch_op.drop_index("ix_return_status_tallies_store")
    op.drop_table("return_status_tallies")
