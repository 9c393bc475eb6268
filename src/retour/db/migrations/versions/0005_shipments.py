"""shipments: labels and drop-off codes of returns, their documents and tracking events;
return addresses on inventory locations, the rest of orders' shipping addresses, and the
stores' label expiry

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 01:47:40.080540
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import retour.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("parcels", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("carrier_reference", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("label_status", sa.String(length=16), nullable=False),
        sa.Column("label_error", sa.Text(), nullable=False),
        sa.Column("label_formats", sa.JSON(), nullable=False),
        sa.Column("label_cost", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("qr_payload", sa.String(length=200), nullable=False),
        sa.Column("from_address", sa.JSON(), nullable=False),
        sa.Column("to_address", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column("created_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voided_at", retour.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_shipments_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_shipments_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint(
            "store_id", "idempotency_key", name=op.f("uq_shipments_store_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_return", ["return_id", "id"], unique=False)
        batch_op.create_index(
            "ix_shipments_store_tracking", ["store_id", "tracking_number"], unique=False
        )

    op.create_table(
        "shipment_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_documents_shipment_id_shipments"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_shipment_documents_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_documents")),
        sa.UniqueConstraint(
            "shipment_id", "kind", name=op.f("uq_shipment_documents_shipment_id_kind")
        ),
    )
    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("carrier_event_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_at", retour.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_tracking_events_shipment_id_shipments")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_tracking_events_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint(
            "shipment_id",
            "carrier_event_id",
            name=op.f("uq_tracking_events_shipment_id_carrier_event_id"),
        ),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tracking_events_shipment", ["shipment_id", "occurred_at"], unique=False
        )

    with op.batch_alter_table("inventory_locations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("address_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_company", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_line1", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_line2", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_city", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_region", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "address_postal_code", sa.String(length=16), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("address_country", sa.String(length=2), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_phone", sa.String(length=32), server_default="", nullable=False)
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shipping_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_company", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_line1", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_line2", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_city", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_region", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_phone", sa.String(length=32), server_default="", nullable=False)
        )

    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("label_expiry_days", sa.Integer(), server_default="30", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("label_expiry_days")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("shipping_phone")
        batch_op.drop_column("shipping_region")
        batch_op.drop_column("shipping_city")
        batch_op.drop_column("shipping_line2")
        batch_op.drop_column("shipping_line1")
        batch_op.drop_column("shipping_company")
        batch_op.drop_column("shipping_name")

    with op.batch_alter_table("inventory_locations", schema=None) as batch_op:
        batch_op.drop_column("address_phone")
        batch_op.drop_column("address_country")
        batch_op.drop_column("address_postal_code")
        batch_op.drop_column("address_region")
        batch_op.drop_column("address_city")
        batch_op.drop_column("address_line2")
        batch_op.drop_column("address_line1")
        batch_op.drop_column("address_company")
        batch_op.drop_column("address_name")

    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index("ix_tracking_events_shipment")

    op.drop_table("tracking_events")
    op.drop_table("shipment_documents")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_store_tracking")
        batch_op.drop_index("ix_shipments_return")

    op.drop_table("shipments")
