"""feedback notes queue: a resident's 意见建议 (5.5), sealed, sent once by uuid

Revision ID: e6b9d2f4a8c0
Revises: c4e7a2b9d1f3
Create Date: 2026-12-02 19:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e6b9d2f4a8c0"
down_revision: str | Sequence[str] | None = "c4e7a2b9d1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_notes",
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("matter_code", sa.String(length=50), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=True),
        sa.Column("feedback_no", sa.String(length=12), nullable=True),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("client_uuid", name=op.f("pk_feedback_notes")),
    )
    with op.batch_alter_table("feedback_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_notes_receipt_no"), ["receipt_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_notes_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_notes_sent_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_notes_receipt_no"))
    op.drop_table("feedback_notes")
