"""Rate-limit windows shared by every node (issue 16, several nodes behind a balancer)

The verification page's and the kiosk result lookup's per-client budgets were counted in
each process's memory; behind a load balancer every node would grant the whole budget.

Revision ID: c4e8a1f07d3b
Revises: be0259fc8cf7
Create Date: 2026-12-02 19:50:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'c4e8a1f07d3b'
down_revision: Union[str, Sequence[str], None] = 'be0259fc8cf7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'rate_limit_windows',
        sa.Column('scope', sa.String(length=32), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('window_no', sa.BigInteger(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'client', name=op.f('pk_rate_limit_windows')),
    )
    with op.batch_alter_table('rate_limit_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_windows_window_no'), ['window_no'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limit_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_windows_window_no'))
    op.drop_table('rate_limit_windows')
