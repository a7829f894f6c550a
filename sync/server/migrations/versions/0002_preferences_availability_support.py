"""victims' contact preferences, officers' availability, forces' support services

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.server.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_within_hours", sa.Integer(), server_default="48", nullable=False))
        batch_op.add_column(sa.Column("away_message", sa.String(length=300), nullable=True))

    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_channels", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("contact_times", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("safe_to_leave_voicemail", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("news_alerts", sa.Boolean(), server_default=sa.true(), nullable=False))

    # Victims already on record may be contacted the way they were invited.
    victim = sa.table("victim", sa.column("preferred_channel", sa.String()), sa.column("contact_channels", sa.JSON()))
    for channel in ("sms", "email"):
        op.execute(victim.update().where(victim.c.preferred_channel == channel).values(contact_channels=[channel]))

    op.create_table(
        "support_services",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("force_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_support_services_force_id_force")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_services")),
        sa.UniqueConstraint("force_id", name=op.f("uq_support_services_force_id")),
    )


def downgrade() -> None:
    op.drop_table("support_services")
    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.drop_column("news_alerts")
        batch_op.drop_column("safe_to_leave_voicemail")
        batch_op.drop_column("contact_times")
        batch_op.drop_column("contact_channels")

    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_column("away_message")
        batch_op.drop_column("reply_within_hours")
