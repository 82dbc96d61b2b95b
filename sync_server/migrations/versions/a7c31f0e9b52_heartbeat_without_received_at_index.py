"""Heartbeats without the index on received_at (issue 16)

Every heartbeat rewrites received_at; with an index on it PostgreSQL cannot update the row
in place (HOT), so each heartbeat wrote a new index entry too. The fleet view reads all
heartbeats anyway and never looks one up by time.

Revision ID: a7c31f0e9b52
Revises: 5c2a9e7d1b34
Create Date: 2026-12-02 15:40:00
"""

from typing import Sequence, Union

from alembic import op

revision: str = 'a7c31f0e9b52'
down_revision: Union[str, Sequence[str], None] = '5c2a9e7d1b34'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('kiosk_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_heartbeats_received_at'))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_heartbeats_received_at'), ['received_at'], unique=False)
