"""The city's dashboard drill-down: an index on submissions by collection time (issue 14)

The existing dashboard index leads with the department, so a city-wide list "newest
collection first" sorted every case of the period; this one lets it walk back from the
newest case and stop after a page, and counts a city figure from the index alone
(PostgreSQL: the columns the dashboard filters on are included).

Revision ID: b91d4e7a2c60
Revises: f3a9c2d4e6b1
Create Date: 2026-12-02 19:55:00
"""

from typing import Sequence, Union

from alembic import op

revision: str = 'b91d4e7a2c60'
down_revision: Union[str, Sequence[str], None] = 'f3a9c2d4e6b1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INCLUDED = [
    'department_code', 'matter_code', 'station_code', 'source', 'state', 'receipt_no', 'transfer_due',
    'transferred_at', 'accepted_at', 'promised_due', 'completed_at', 'delivered_at',
]


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_submissions_collected', ['collected_at', 'id'], unique=False, postgresql_include=INCLUDED
        )


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_collected', postgresql_include=INCLUDED)
