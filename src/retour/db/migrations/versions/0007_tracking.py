"""tracking: stores' carrier accounts, the carrier webhook deliveries taken in (replays are
ignored), and when a return's parcel was delivered at the warehouse

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import retour.db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "carrier_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("api_key", sa.Text(), nullable=False),
        sa.Column("webhook_secret", sa.Text(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_carrier_accounts_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_accounts")),
        sa.UniqueConstraint(
            "store_id", "carrier", name=op.f("uq_carrier_accounts_store_id_carrier")
        ),
    )
    op.create_table(
        "carrier_webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_carrier_webhook_deliveries_store_id_stores"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_webhook_deliveries")),
        sa.UniqueConstraint(
            "store_id",
            "carrier",
            "delivery_id",
            name=op.f("uq_carrier_webhook_deliveries_store_id_carrier_delivery_id"),
        ),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("arrived_at", retour.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("arrived_at")

    op.drop_table("carrier_webhook_deliveries")
    op.drop_table("carrier_accounts")
