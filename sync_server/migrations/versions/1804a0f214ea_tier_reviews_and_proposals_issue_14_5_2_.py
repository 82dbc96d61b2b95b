"""tier reviews and proposals (issue 14, 5.2 5.3)

Revision ID: 1804a0f214ea
Revises: d8b2f6a1c3e5
Create Date: 2026-12-02 15:20:17.871127

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '1804a0f214ea'
down_revision: Union[str, Sequence[str], None] = 'd8b2f6a1c3e5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('tier_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('catalog_version', sa.String(length=32), nullable=False),
    sa.Column('stats', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['catalog_drafts.id'], name=op.f('fk_tier_reviews_draft_id_catalog_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_reviews'))
    )
    with op.batch_alter_table('tier_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_reviews_state'), ['state'], unique=False)

    op.create_table('tier_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('matter_code', sa.String(length=50), nullable=False),
    sa.Column('matter_name', sa.String(length=200), nullable=False),
    sa.Column('domain', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('current_tier', sa.String(length=10), nullable=True),
    sa.Column('proposed_tier', sa.String(length=10), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['tier_reviews.id'], name=op.f('fk_tier_proposals_review_id_tier_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_proposals')),
    sa.UniqueConstraint('review_id', 'matter_code', name=op.f('uq_tier_proposals_review_id_matter_code'))
    )
    with op.batch_alter_table('tier_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_proposals_review_id'), ['review_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("tier_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_proposals_review_id'))

    op.drop_table('tier_proposals')
    with op.batch_alter_table('tier_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_reviews_state'))

    op.drop_table('tier_reviews')
