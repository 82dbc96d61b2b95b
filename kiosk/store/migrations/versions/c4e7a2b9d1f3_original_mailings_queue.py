"""original mailings queue: the tracking number of originals mailed with the transfer slip

Revision ID: c4e7a2b9d1f3
Revises: a518ff3e1a90
Create Date: 2026-12-02 14:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e7a2b9d1f3"
down_revision: str | Sequence[str] | None = "a518ff3e1a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "original_mailings",
        sa.Column("mailing_uuid", sa.String(length=36), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("mailing_uuid", name=op.f("pk_original_mailings")),
    )
    with op.batch_alter_table("original_mailings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_original_mailings_receipt_no"), ["receipt_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_original_mailings_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("original_mailings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_original_mailings_sent_at"))
        batch_op.drop_index(batch_op.f("ix_original_mailings_receipt_no"))
    op.drop_table("original_mailings")
