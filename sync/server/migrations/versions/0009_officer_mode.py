"""officer mode: events for one former officer (a case handed away), hand-overs and templates on the
timeline, and when a case was closed (the Right to Review window runs from it)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.server.models import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("for_officer_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_event_for_officer_id_officer"), "officer", ["for_officer_id"], ["id"]
        )
    with op.batch_alter_table("case_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handed_to_officer_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("template", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_update_handed_to_officer_id_officer"), "officer", ["handed_to_officer_id"], ["id"]
        )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", UtcDateTime(), nullable=True))
    # A case closed before this revision was told of its outcome by the update that gave it.
    case = sa.table("case", sa.column("id"), sa.column("status"), sa.column("closed_at"))
    update = sa.table("case_update", sa.column("case_id"), sa.column("closed_outcome"), sa.column("created_at"))
    told = (
        sa.select(sa.func.max(update.c.created_at))
        .where(update.c.case_id == case.c.id, update.c.closed_outcome.is_not(None))
        .scalar_subquery()
    )
    op.execute(sa.update(case).where(case.c.status == "closed").values(closed_at=told))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("case_update", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_update_handed_to_officer_id_officer"), type_="foreignkey")
        batch_op.drop_column("template")
        batch_op.drop_column("handed_to_officer_id")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_event_for_officer_id_officer"), type_="foreignkey")
        batch_op.drop_column("for_officer_id")
