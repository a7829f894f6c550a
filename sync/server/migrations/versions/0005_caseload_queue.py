"""the caseload's order: each case's next update due and place in the queue, and their indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.server.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_update_due", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("queue_position", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.drop_index(batch_op.f("ix_case_officer_id"))
        batch_op.create_index(
            batch_op.f("ix_case_officer_id_queue_position_id"), ["officer_id", "queue_position", "id"]
        )
        batch_op.create_index(batch_op.f("ix_case_force_id_queue_position_id"), ["force_id", "queue_position", "id"])
    # Cases already stored get their place from the same rule every change uses.
    from sync.server.models import case
    from sync.server.services import attention

    conn = op.get_bind()
    for case_id in conn.execute(sa.select(case.c.id)).scalars().all():
        attention.refresh(conn, case_id)


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_force_id_queue_position_id"))
        batch_op.drop_index(batch_op.f("ix_case_officer_id_queue_position_id"))
        batch_op.create_index(batch_op.f("ix_case_officer_id"), ["officer_id"])
        batch_op.drop_column("queue_position")
        batch_op.drop_column("next_update_due")
