"""an authenticator being set up is kept apart from the one in use

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_pending_secret", sa.String(length=200), nullable=True))

    # A secret never confirmed was only ever pending (both are sealed for the same officer).
    officer = sa.table(
        "officer",
        sa.column("totp_secret", sa.String()),
        sa.column("totp_pending_secret", sa.String()),
        sa.column("totp_enabled", sa.Boolean()),
    )
    op.execute(
        officer.update()
        .where(officer.c.totp_enabled == sa.false(), officer.c.totp_secret.is_not(None))
        .values(totp_pending_secret=officer.c.totp_secret, totp_secret=None)
    )


def downgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_column("totp_pending_secret")
