"""eligibility: each force's rules as versions, each case's invitation decision and what it weighs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 15:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.server.models import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_CASE_FLAGS = ("domestic_abuse", "sexual_offence", "phone_risk")


def upgrade() -> None:
    op.create_table(
        "eligibility_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("force_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_eligibility_rules_force_id_force")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_rules")),
        sa.UniqueConstraint("force_id", "version", name=op.f("uq_eligibility_rules_force_id_version")),
    )
    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("age", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("portal_consent", sa.Boolean(), nullable=True))
    with op.batch_alter_table("case", schema=None) as batch_op:
        for flag in _CASE_FLAGS:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("invite_decision", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("decision_rules_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decision_rule", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("decided_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("decision_overridden_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("decision_override_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("auto_invited_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        for column in (
            "auto_invited_at",
            "decision_override_reason",
            "decision_overridden_by",
            "decided_at",
            "decision_rule",
            "decision_rules_version",
            "invite_decision",
            *reversed(_CASE_FLAGS),
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.drop_column("portal_consent")
        batch_op.drop_column("age")
        batch_op.drop_column("date_of_birth")
    op.drop_table("eligibility_rules")
