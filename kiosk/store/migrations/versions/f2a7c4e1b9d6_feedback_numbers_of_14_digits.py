"""feedback numbers of 14 digits: the kiosk's prefix and counter (issue 14, 5.5)

``feedback_notes.feedback_no`` holds ``YJ`` + 14 digits now (16 characters; the old form,
10 digits, still fits). The counter itself lives in ``kiosk_meta``.

Revision ID: f2a7c4e1b9d6
Revises: e6b9d2f4a8c0
Create Date: 2026-12-03 13:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f2a7c4e1b9d6"
down_revision: str | Sequence[str] | None = "e6b9d2f4a8c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_notes", schema=None) as batch_op:
        batch_op.alter_column(
            "feedback_no",
            existing_type=sa.String(length=12),
            type_=sa.String(length=16),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_notes", schema=None) as batch_op:
        batch_op.alter_column(
            "feedback_no",
            existing_type=sa.String(length=16),
            type_=sa.String(length=12),
            existing_nullable=True,
        )
