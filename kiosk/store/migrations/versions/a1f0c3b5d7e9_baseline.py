"""baseline: exactly the schema the last release without migrations made (create_all)

Its constraints are unnamed, as create_all left them on kiosks in the field; a later
revision that alters one passes ``naming_convention=NAMING_CONVENTION`` to
``batch_alter_table`` so the reflected, unnamed constraint can be found. A database of
that release has these tables but no ``alembic_version`` and is stamped with this
revision by :func:`kiosk.store.migrate.upgrade`.

Revision ID: a1f0c3b5d7e9
Revises:
Create Date: 2026-12-02 10:20:41.583830

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a1f0c3b5d7e9"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain MetaData, no naming convention: the constraints come out unnamed, exactly as
# the release's create_all made them (op.create_table would name them by the models').
META = sa.MetaData()

sa.Table(
    "evaluations",
    META,
    sa.Column("evaluation_uuid", sa.String(length=36), primary_key=True),
    sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True, index=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
)
sa.Table(
    "kiosk_meta",
    META,
    sa.Column("key", sa.String(length=64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)
sa.Table(
    "outbox",
    META,
    sa.Column("client_uuid", sa.String(length=36), primary_key=True),
    sa.Column("receipt_no", sa.String(length=40), nullable=False, unique=True),
    sa.Column("state", sa.String(length=32), nullable=False, index=True),
    sa.Column("matter_code", sa.String(length=40), nullable=False),
    sa.Column("catalog_version", sa.String(length=20), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("state_changed_at", sa.DateTime(), nullable=False),
    sa.Column("finalized_at", sa.DateTime(), nullable=True, index=True),
    sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
    sa.Column("exported_at", sa.DateTime(), nullable=True),
    sa.Column("purged_at", sa.DateTime(), nullable=True),
    sa.Column("draft_enc", sa.LargeBinary(), nullable=True),
    sa.Column("content_digest", sa.String(length=64), nullable=True),
    sa.Column("page_count", sa.Integer(), nullable=False),
    sa.Column("payload_bytes", sa.Integer(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("failure_reason", sa.Text(), nullable=True),
    sa.Column("department_code", sa.String(length=64), nullable=True),
    sa.Column("server_received_at", sa.String(length=40), nullable=True),
    sa.Column("last_message", sa.Text(), nullable=True),
)
sa.Table(
    "receipt_counters",
    META,
    sa.Column("day", sa.String(length=8), primary_key=True),
    sa.Column("last_seq", sa.Integer(), nullable=False),
)
sa.Table(
    "status_events",
    META,
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("client_uuid", sa.String(length=36), nullable=False, index=True),
    sa.Column("receipt_no", sa.String(length=40), nullable=False),
    sa.Column("state", sa.String(length=32), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Column("applied", sa.Boolean(), nullable=False),
)
sa.Table(
    "outbox_pages",
    META,
    sa.Column(
        "client_uuid",
        sa.String(length=36),
        sa.ForeignKey("outbox.client_uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sha256", sa.String(length=64), primary_key=True, index=True),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("content_type", sa.String(length=20), nullable=False),
)
sa.Table(
    "outbox_transitions",
    META,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column(
        "client_uuid",
        sa.String(length=36),
        sa.ForeignKey("outbox.client_uuid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("from_state", sa.String(length=32), nullable=True),
    sa.Column("to_state", sa.String(length=32), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
)


def upgrade() -> None:
    META.create_all(op.get_bind())


def downgrade() -> None:
    META.drop_all(op.get_bind())
