"""Each kiosk's feedback prefix: the kiosk part of the feedback numbers it makes (issue 14, 5.5)

Kiosks drew feedback numbers at random offline, and random draws collide; a number is now
the kiosk's prefix + its own counter (``shared_schema.feedback_no``). Enrollment gives the
next prefix; this revision numbers the kiosks enrolled before, oldest first, from 1.

Revision ID: d5a8f1c3e7b2
Revises: c9e4b7a1d2f3
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5a8f1c3e7b2"
down_revision: str | Sequence[str] | None = "c9e4b7a1d2f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIOSKS = sa.table("kiosks", sa.column("kiosk_id", sa.String), sa.column("enrolled_at", sa.DateTime),
                  sa.column("feedback_prefix", sa.Integer))  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("kiosks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback_prefix", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(KIOSKS.c.kiosk_id).order_by(KIOSKS.c.enrolled_at, KIOSKS.c.kiosk_id))
    for prefix, (kiosk_id,) in enumerate(rows.all(), start=1):
        connection.execute(
            KIOSKS.update().where(KIOSKS.c.kiosk_id == kiosk_id).values(feedback_prefix=prefix)
        )
    with op.batch_alter_table("kiosks", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_kiosks_feedback_prefix"), ["feedback_prefix"])


def downgrade() -> None:
    with op.batch_alter_table("kiosks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_kiosks_feedback_prefix"), type_="unique")
        batch_op.drop_column("feedback_prefix")
