"""inspections of wrong items: a verdict on units that were not the line's item is marked, with
what arrived instead when the warehouse said; such units never move the line's item's stock;
and the unit of a line a station photo shows

The station's earlier verdicts on wrong items (note "wrong item received") are marked.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "return_line_inspections",
        sa.Column("is_wrong_item", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "return_line_inspections",
        sa.Column("arrived_sku", sa.String(64), server_default="", nullable=False),
    )
    op.execute(
        "UPDATE return_line_inspections SET is_wrong_item = true "
        "WHERE note = 'wrong item received' AND is_accepted = false"
    )
    op.add_column("return_photos", sa.Column("unit", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("return_photos") as batch:
        batch.drop_column("unit")
    with op.batch_alter_table("return_line_inspections") as batch:
        batch.drop_column("arrived_sku")
        batch.drop_column("is_wrong_item")
