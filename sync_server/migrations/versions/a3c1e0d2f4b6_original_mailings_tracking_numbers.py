"""Original mailings: the station's tracking number of a case's originals (原件寄送)

Revision ID: a3c1e0d2f4b6
Revises: e5f1a7c3d920
Create Date: 2026-12-02 14:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = 'a3c1e0d2f4b6'
down_revision: Union[str, Sequence[str], None] = 'e5f1a7c3d920'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('original_mailings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailing_uuid', sa.Uuid(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=8), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('tracking_no', sa.String(length=32), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('materials', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_digest', sa.String(length=64), nullable=False),
    sa.Column('ack_body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_original_mailings_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['station_code'], ['stations.code'], name=op.f('fk_original_mailings_station_code_stations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_original_mailings_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_original_mailings')),
    sa.UniqueConstraint('mailing_uuid', name=op.f('uq_original_mailings_mailing_uuid')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_original_mailings_submission_id'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('original_mailings')
