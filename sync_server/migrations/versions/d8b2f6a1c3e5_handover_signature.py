"""Handover signature: the recipient's 签收 strokes written on the kiosk's touch screen

Revision ID: d8b2f6a1c3e5
Revises: a3c1e0d2f4b6
Create Date: 2026-12-02 15:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = 'd8b2f6a1c3e5'
down_revision: Union[str, Sequence[str], None] = 'a3c1e0d2f4b6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_column('signature')
