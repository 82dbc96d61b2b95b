"""handovers queue: 送达 records synced like evaluations (replaces handovers.jsonl)

A handovers.jsonl written by an earlier release holds no identity-check method and may
hold no ID number at all, so it cannot become a valid synced record; it is left where it
is (the evidence it holds is not deleted) and the kiosk stops writing it.

Revision ID: d5a8c3e1f7b9
Revises: 4dc3f184de78
Create Date: 2026-12-02 11:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5a8c3e1f7b9"
down_revision: str | Sequence[str] | None = "4dc3f184de78"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("handover_uuid", sa.String(length=36), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("handover_uuid", name=op.f("pk_handovers")),
    )
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handovers_receipt_no"), ["receipt_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_handovers_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handovers_sent_at"))
        batch_op.drop_index(batch_op.f("ix_handovers_receipt_no"))
    op.drop_table("handovers")
