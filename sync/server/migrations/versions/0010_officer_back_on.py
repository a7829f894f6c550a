"""away: the UK date an officer is back, shown to victims with the away message

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("back_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_column("back_on")
