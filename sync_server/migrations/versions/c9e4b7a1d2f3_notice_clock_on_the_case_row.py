"""The notice clock (受理/补正告知) on the case row, filled for the cases stored before (issue 14)

``submissions.notice_from`` (the transfer, or the latest 补正) and
``submissions.notice_answered_at`` (the first accept/补正/不予受理 since then), kept by
``sync_server.notice_clock`` as events are written, so the dashboard no longer derives
every case's first answer from its events. This revision fills both for existing rows
from their events with the same rule, and widens the dashboard's two covering indexes
(PostgreSQL INCLUDE) with them so the deadline counts stay index-only scans.

Revision ID: c9e4b7a1d2f3
Revises: b91d4e7a2c60
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "c9e4b7a1d2f3"
down_revision: str | Sequence[str] | None = "b91d4e7a2c60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = [
    "id",
    "matter_code",
    "station_code",
    "source",
    "state",
    "receipt_no",
    "transfer_due",
    "transferred_at",
    "accepted_at",
    "promised_due",
    "completed_at",
    "delivered_at",
]
NEW = [*OLD, "notice_from", "notice_answered_at"]
ANSWERS = ("accepted", "correction_requested", "rejected")

submissions = sa.table(
    "submissions",
    sa.column("id", sa.Integer),
    sa.column("transferred_at", sa.DateTime(timezone=True)),
    sa.column("notice_from", sa.DateTime(timezone=True)),
    sa.column("notice_answered_at", sa.DateTime(timezone=True)),
)
events = sa.table(
    "submission_events",
    sa.column("submission_id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("detail", sa.JSON().with_variant(JSONB(), "postgresql")),
)


def _indexes(include: list[str], drop: list[str]) -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_dashboard", postgresql_include=drop)
        batch_op.drop_index("ix_submissions_collected", postgresql_include=["department_code", *drop[1:]])
        batch_op.create_index(
            "ix_submissions_dashboard",
            ["department_code", "collected_at"],
            unique=False,
            postgresql_include=include,
        )
        batch_op.create_index(
            "ix_submissions_collected",
            ["collected_at", "id"],
            unique=False,
            postgresql_include=["department_code", *include[1:]],
        )


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("notice_answered_at", sa.DateTime(timezone=True), nullable=True))
    mine = events.c.submission_id == submissions.c.id
    supplemented = (
        sa.select(sa.func.max(events.c.at))
        .where(mine, events.c.state == "routed", events.c.detail["action"].as_string() == "supplement")
        .scalar_subquery()
    )
    op.execute(
        submissions.update().values(notice_from=sa.func.coalesce(supplemented, submissions.c.transferred_at))
    )
    answered = (
        sa.select(sa.func.min(events.c.at))
        .where(mine, events.c.state.in_(ANSWERS), events.c.at >= submissions.c.notice_from)
        .scalar_subquery()
    )
    op.execute(
        submissions.update().where(submissions.c.notice_from.is_not(None)).values(notice_answered_at=answered)
    )
    _indexes(NEW, OLD)


def downgrade() -> None:
    _indexes(OLD, NEW)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("notice_answered_at")
        batch_op.drop_column("notice_from")
