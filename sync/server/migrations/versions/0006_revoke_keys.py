"""each device session's revoke key (its digest): ends that session and nothing else

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoke_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_device_session_revoke_hash"), ["revoke_hash"])


def downgrade() -> None:
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_device_session_revoke_hash"), type_="unique")
        batch_op.drop_column("revoke_hash")
