"""return routes: a store's ordered routing rules sending returns to one of its return
locations by the shopper's country or a product tag (domain/routing.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "return_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("match", sa.String(length=20), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inventory_locations.id"],
            name=op.f("fk_return_routes_location_id_inventory_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_return_routes_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_routes")),
        sa.UniqueConstraint(
            "store_id", "position", name=op.f("uq_return_routes_store_id_position")
        ),
    )


def downgrade() -> None:
    op.drop_table("return_routes")
