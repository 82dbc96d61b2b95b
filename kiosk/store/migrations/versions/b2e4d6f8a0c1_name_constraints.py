"""name the baseline's constraints (copy every table once, keeping every row)

The release without migrations left primary, unique and foreign keys unnamed; batch
migrations on SQLite find a constraint by its name. Every table is copied once with the
models' naming convention, so kiosks made by that release and kiosks made now end up
with the same, named schema. Runs with foreign keys off (see ``kiosk.store.migrate``):
dropping the old ``outbox`` must not cascade to its pages and transitions.

Revision ID: b2e4d6f8a0c1
Revises: a1f0c3b5d7e9
Create Date: 2026-12-02 10:40:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "b2e4d6f8a0c1"
down_revision: str | Sequence[str] | None = "a1f0c3b5d7e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kiosk.store.models.NAMING_CONVENTION as of this revision (revisions import no app code).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
TABLES = [
    "outbox",
    "outbox_pages",
    "outbox_transitions",
    "receipt_counters",
    "status_events",
    "evaluations",
    "kiosk_meta",
]


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION):
            pass


def downgrade() -> None:
    pass  # names only; the baseline schema with named constraints works the same
