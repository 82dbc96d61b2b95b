"""feedback on matters and guides (issue 14, 5.5)

Revision ID: e8cb81335adb
Revises: a7c31f0e9b52
Create Date: 2026-12-02 15:27:19.566257

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e8cb81335adb'
down_revision: Union[str, Sequence[str], None] = 'a7c31f0e9b52'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_no', sa.String(length=16), nullable=False),
    sa.Column('client_uuid', sa.Uuid(), nullable=True),
    sa.Column('matter_code', sa.String(length=50), nullable=False),
    sa.Column('about', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('kiosk_id', sa.String(length=40), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=True),
    sa.Column('receipt_no', sa.String(length=40), nullable=True),
    sa.Column('author', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=40), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['catalog_drafts.id'], name=op.f('fk_feedback_draft_id_catalog_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_feedback_client_uuid')),
    sa.UniqueConstraint('feedback_no', name=op.f('uq_feedback_feedback_no'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_author'), ['author'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_matter_code'), ['matter_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_receipt_no'), ['receipt_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_state'), ['state'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_state'))
        batch_op.drop_index(batch_op.f('ix_feedback_receipt_no'))
        batch_op.drop_index(batch_op.f('ix_feedback_matter_code'))
        batch_op.drop_index(batch_op.f('ix_feedback_author'))

    op.drop_table('feedback')
