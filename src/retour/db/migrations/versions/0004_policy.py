"""policy: versioned return policies, and the decision each return got

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import retour.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_policy_versions_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint(
            "store_id", "version", name=op.f("uq_policy_versions_store_id_version")
        ),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("policy_decision", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("risk_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("window_days_left", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("window_days_left")
        batch_op.drop_column("risk_score")
        batch_op.drop_column("policy_decision")
        batch_op.drop_column("policy_version")
    op.drop_table("policy_versions")
