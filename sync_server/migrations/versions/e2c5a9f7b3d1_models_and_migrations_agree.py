"""Models and migrations agree: a correction page's item key is 50 characters, the
escalation log's unique key gets a name that says what it holds

``online_correction_pages.item_key`` was created 64 wide; the model and the boundary
(``shared_schema.bounds.REQUIREMENT_CODE_LEN``: a notice item's key is a requirement code
or ``item-<n>``, validated in ``CorrectionItem`` before a page is filed under it) say 50.
``escalation_steps``' unique key over (case, clock, due day, level, recipient, channel)
was named ``uq_escalation_steps_submission_id`` by hand (the naming convention's name is
67 characters, over PostgreSQL's 63) — a name that reads as "one step per case". The
model now names it ``uq_escalation_steps_step``; the columns do not change.

``tests/server/test_models_match_migrations.py`` keeps models and migrations equal.

Revision ID: e2c5a9f7b3d1
Revises: d7f2c8a4b1e9
Create Date: 2026-12-03 14:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2c5a9f7b3d1"
down_revision: str | Sequence[str] | None = "d7f2c8a4b1e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_LEN, OLD_KEY_LEN = 50, 64
STEP_COLUMNS = ["submission_id", "clock", "due", "level", "recipient", "channel"]
OLD_NAME, NEW_NAME = "uq_escalation_steps_submission_id", "uq_escalation_steps_step"


def upgrade() -> None:
    too_long = (
        op.get_bind()
        .execute(sa.text(f"SELECT count(*) FROM online_correction_pages WHERE length(item_key) > {KEY_LEN}"))
        .scalar_one()
    )
    if too_long:  # cannot come from the boundary; never cut a stored key short
        raise RuntimeError(
            f"{too_long} online_correction_pages rows have an item_key over {KEY_LEN} characters;"
            " shorten or remove them by hand, then upgrade again"
        )
    _key_width(OLD_KEY_LEN, KEY_LEN)
    _rename_step_key(OLD_NAME, NEW_NAME)


def downgrade() -> None:
    _rename_step_key(NEW_NAME, OLD_NAME)
    _key_width(KEY_LEN, OLD_KEY_LEN)


def _key_width(old: int, new: int) -> None:
    with op.batch_alter_table("online_correction_pages") as batch_op:
        batch_op.alter_column(
            "item_key", existing_type=sa.String(old), type_=sa.String(new), existing_nullable=False
        )


def _rename_step_key(old: str, new: str) -> None:
    """PostgreSQL renames the constraint in place (its index stays); SQLite has no rename,
    so the (trigger-free) table is rebuilt with the new name."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE escalation_steps RENAME CONSTRAINT {old} TO {new}")
        return
    with op.batch_alter_table("escalation_steps") as batch_op:
        batch_op.drop_constraint(op.f(old), type_="unique")
        batch_op.create_unique_constraint(op.f(new), STEP_COLUMNS)
