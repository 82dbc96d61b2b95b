"""Handovers (送达) synced from kiosks; evaluations tied to the case's department

Revision ID: c7d2e9a41b53
Revises: 9f24988c2af0
Create Date: 2026-12-02 11:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = 'c7d2e9a41b53'
down_revision: Union[str, Sequence[str], None] = '9f24988c2af0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_uuid', sa.Uuid(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=8), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('handed_by', sa.String(length=100), nullable=False),
    sa.Column('handed_to', sa.String(length=100), nullable=False),
    sa.Column('identity_check', sa.String(length=32), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('handed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_digest', sa.String(length=64), nullable=False),
    sa.Column('ack_body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.kiosk_id'], name=op.f('fk_handovers_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['station_code'], ['stations.code'], name=op.f('fk_handovers_station_code_stations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_handovers_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    sa.UniqueConstraint('handover_uuid', name=op.f('uq_handovers_handover_uuid')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_handovers_submission_id'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_evaluations_department_code_departments'), 'departments', ['department_code'], ['code'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evaluations_department_code_departments'), type_='foreignkey')
        batch_op.drop_column('reasons')
        batch_op.drop_column('department_code')
    op.drop_table('handovers')
