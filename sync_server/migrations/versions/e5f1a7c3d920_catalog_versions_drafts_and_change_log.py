"""Catalog versions: drafts, and who published each version and why (issue 14)

Revision ID: e5f1a7c3d920
Revises: b3c44f942c5b
Create Date: 2026-12-02 14:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = 'e5f1a7c3d920'
down_revision: Union[str, Sequence[str], None] = 'b3c44f942c5b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('catalog_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('based_on', sa.String(length=32), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_version', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_drafts'))
    )
    with op.batch_alter_table('catalog_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_drafts_state'), ['state'], unique=False)

    with op.batch_alter_table('catalog_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('based_on', sa.String(length=32), nullable=True))
    # Versions loaded before versioning came from catalog.yaml through init-db.
    op.execute(
        "UPDATE catalog_releases SET published_by = 'init-db', reason = '由目录文件（catalog.yaml）发布'"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('catalog_releases', schema=None) as batch_op:
        batch_op.drop_column('based_on')
        batch_op.drop_column('reason')
        batch_op.drop_column('published_by')

    with op.batch_alter_table('catalog_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_drafts_state'))

    op.drop_table('catalog_drafts')
