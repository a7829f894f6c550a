"""access that can be ended: officers' set-up codes, session idle times, revoked invitations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from sync.server.models import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=200), nullable=True)

    # Before this release an admin or the record system chose new officers' passwords. Whoever
    # knows such a password could set up their own authenticator on an account that has none yet,
    # so those passwords end here: each such officer gets a set-up code from an admin
    # (`portal-server reset-password`) and chooses their own. Officers with an authenticator keep theirs.
    officer = sa.table("officer", sa.column("password_hash", sa.String()), sa.column("totp_enabled", sa.Boolean()))
    op.execute(officer.update().where(officer.c.totp_enabled.is_(False)).values(password_hash=None))

    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", UtcDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_device_session_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_session_victim_id"), ["victim_id"], unique=False)

    # Sessions already live count as used now, so upgrading signs nobody out for being idle.
    session = sa.table(
        "device_session", sa.column("revoked_at", UtcDateTime()), sa.column("last_used_at", UtcDateTime())
    )
    op.execute(session.update().where(session.c.revoked_at.is_(None)).values(last_used_at=datetime.now(UTC)))

    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", UtcDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_invitation_victim_id"), ["victim_id"], unique=False)

    op.create_table(
        "setup_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("force_id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_setup_code_force_id_force")),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"], name=op.f("fk_setup_code_officer_id_officer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_setup_code_code_hash")),
    )
    with op.batch_alter_table("setup_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_setup_code_officer_id"), ["officer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("setup_code")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_victim_id"))
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_session_victim_id"))
        batch_op.drop_index(batch_op.f("ix_device_session_officer_id"))
        batch_op.drop_column("last_used_at")
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=200), nullable=False)
