"""outbound webhooks: each force's URL and sealed secret, and the durable outbox of deliveries

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.server.models import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("force_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_webhook_force_id_force")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook")),
        sa.UniqueConstraint("force_id", name=op.f("uq_webhook_force_id")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("force_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("claimed_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_webhook_delivery_case_id_case")),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_webhook_delivery_force_id_force")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(
        op.f("ix_webhook_delivery_status_next_attempt_at"), "webhook_delivery", ["status", "next_attempt_at"]
    )
    op.create_index(op.f("ix_webhook_delivery_case_id_status_seq"), "webhook_delivery", ["case_id", "status", "seq"])
    op.create_index(op.f("ix_webhook_delivery_force_id_status"), "webhook_delivery", ["force_id", "status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_delivery_force_id_status"), table_name="webhook_delivery")
    op.drop_index(op.f("ix_webhook_delivery_case_id_status_seq"), table_name="webhook_delivery")
    op.drop_index(op.f("ix_webhook_delivery_status_next_attempt_at"), table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook")
