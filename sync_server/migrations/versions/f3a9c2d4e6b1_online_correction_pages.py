"""online correction pages: pages a resident uploads for a 补正 notice before sending them (issue 15)

Revision ID: f3a9c2d4e6b1
Revises: 61a80e0eff03
Create Date: 2026-12-02 19:50:00
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'f3a9c2d4e6b1'
down_revision: Union[str, Sequence[str], None] = '61a80e0eff03'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'online_correction_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('correction_round', sa.Integer(), nullable=False),
        sa.Column('item_key', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=10), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['submission_id'], ['submissions.id'],
            name=op.f('fk_online_correction_pages_submission_id_submissions'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_correction_pages')),
        sa.UniqueConstraint(
            'submission_id', 'correction_round', 'item_key', 'sha256',
            name=op.f('uq_online_correction_pages_page'),
        ),
    )
    with op.batch_alter_table('online_correction_pages', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_online_correction_pages_submission_id'), ['submission_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('online_correction_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_online_correction_pages_submission_id'))
    op.drop_table('online_correction_pages')
