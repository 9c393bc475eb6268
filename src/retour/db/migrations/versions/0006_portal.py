"""portal: the shopper portal's order look-up tries (rate-limited per client and per order)
the photos shoppers send with items, and orders' gift receipt codes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import retour.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_lookup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("order_key", sa.String(length=64), nullable=False),
        sa.Column("is_success", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_portal_lookup_attempts_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_lookup_attempts")),
    )
    op.create_index(
        "ix_portal_lookup_attempts_client",
        "portal_lookup_attempts",
        ["store_id", "client_key", "attempted_at"],
    )
    op.create_index(
        "ix_portal_lookup_attempts_order",
        "portal_lookup_attempts",
        ["store_id", "order_key", "attempted_at"],
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gift_receipt_code", sa.String(length=64), server_default="", nullable=False)
        )
    op.create_table(
        "return_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_return_photos_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_return_photos_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_return_photos_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_return_photos_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_photos")),
        sa.UniqueConstraint("token", name=op.f("uq_return_photos_token")),
    )
    op.create_index("ix_return_photos_order", "return_photos", ["store_id", "order_id"])
    op.create_index(op.f("ix_return_photos_return_id"), "return_photos", ["return_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_return_photos_return_id"), table_name="return_photos")
    op.drop_index("ix_return_photos_order", table_name="return_photos")
    op.drop_table("return_photos")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("gift_receipt_code")
    op.drop_index("ix_portal_lookup_attempts_order", table_name="portal_lookup_attempts")
    op.drop_index("ix_portal_lookup_attempts_client", table_name="portal_lookup_attempts")
    op.drop_table("portal_lookup_attempts")
