"""staff login: signed-in staff sessions, password-reset links, lockout after wrong
passwords, internal notes on returns, and the indexes of the back office's search

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import retour.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", retour.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_password_resets_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_password_resets_token_hash")),
    )
    with op.batch_alter_table("staff_password_resets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_password_resets_staff_user_id"), ["staff_user_id"], unique=False
        )

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", retour.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_sessions_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_sessions_staff_user_id"), ["staff_user_id"], unique=False
        )

    op.create_table(
        "return_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_return_notes_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_return_notes_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_notes")),
    )
    with op.batch_alter_table("return_notes", schema=None) as batch_op:
        batch_op.create_index("ix_return_notes_return", ["return_id", "created_at"], unique=False)

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("locked_until", retour.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_login_at", retour.db.base.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index("ix_returns_store_tracking", ["store_id", "tracking_number"])
        batch_op.create_index("ix_returns_store_refund_status", ["store_id", "refund_status"])
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.create_index("ix_return_lines_store_sku", ["store_id", "sku"])


def downgrade() -> None:
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_return_lines_store_sku")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("ix_returns_store_refund_status")
        batch_op.drop_index("ix_returns_store_tracking")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")

    with op.batch_alter_table("return_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_return_notes_return")

    op.drop_table("return_notes")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_staff_user_id"))

    op.drop_table("staff_sessions")
    with op.batch_alter_table("staff_password_resets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_password_resets_staff_user_id"))

    op.drop_table("staff_password_resets")
