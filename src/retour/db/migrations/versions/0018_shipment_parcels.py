"""shipment parcels: the tracking number and carrier reference of each parcel of a shipment
whose parcels are labelled apart (EasyPost orders), so tracking finds it by any of them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipment_parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("carrier_reference", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_parcels_shipment_id_shipments"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_shipment_parcels_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_parcels")),
        sa.UniqueConstraint(
            "shipment_id", "position", name=op.f("uq_shipment_parcels_shipment_id_position")
        ),
    )
    op.create_index(
        "ix_shipment_parcels_store_tracking",
        "shipment_parcels",
        ["store_id", "tracking_number"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_shipment_parcels_store_tracking", table_name="shipment_parcels")
    op.drop_table("shipment_parcels")
