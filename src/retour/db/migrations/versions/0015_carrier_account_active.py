"""carrier accounts can be off: an account that is off buys no new labels, but still voids
and tracks the shipments bought with it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("carrier_accounts") as batch:
        batch.add_column(
            sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("carrier_accounts") as batch:
        batch.drop_column("is_active")
