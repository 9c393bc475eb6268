"""station photos: who took a return's photo — the customer in the portal, or a staff member
grading the parcel at the warehouse station

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_photos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("taken_by", sa.String(length=300), server_default="customer", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("return_photos", schema=None) as batch_op:
        batch_op.drop_column("taken_by")
