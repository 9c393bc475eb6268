"""sku search index: the return lines' (store, SKU) index also holds the return's id, so the
back office's search by SKU reads the index alone (no table visit per line)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_return_lines_store_sku")
        batch_op.create_index(
            "ix_return_lines_store_sku_return", ["store_id", "sku", "return_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_return_lines_store_sku_return")
        batch_op.create_index("ix_return_lines_store_sku", ["store_id", "sku"], unique=False)
