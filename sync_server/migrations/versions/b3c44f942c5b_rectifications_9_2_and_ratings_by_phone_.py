"""rectifications (9.2) and ratings by phone at the follow-up call

Revision ID: b3c44f942c5b
Revises: d4a8e1f0c2b7
Create Date: 2026-12-02 14:07:18

A rating of 1 or 2 opens a rectification; evaluations learn their channel (kiosk, or phone
at the 回访 call, with who recorded it) and one rating at handling per case is a unique
index, whichever channel it came through.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'b3c44f942c5b'
down_revision: Union[str, Sequence[str], None] = 'd4a8e1f0c2b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('receipt_no', sa.String(length=40), nullable=True),
    sa.Column('matter_code', sa.String(length=50), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=True),
    sa.Column('unit_department_code', sa.String(length=40), nullable=True),
    sa.Column('unit_station_code', sa.String(length=16), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('complainant_name', sa.String(length=100), nullable=True),
    sa.Column('complainant_phone', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=40), nullable=False),
    sa.Column('contact_due', sa.Date(), nullable=False),
    sa.Column('fix_due', sa.Date(), nullable=False),
    sa.Column('contacted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('contact_note', sa.Text(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verification', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('fixed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fix', sa.Text(), nullable=False),
    sa.Column('appealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=False),
    sa.Column('appeal_decision', sa.String(length=10), nullable=True),
    sa.Column('appeal_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal_decided_by', sa.String(length=40), nullable=True),
    sa.Column('appeal_opinion', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(unit_department_code IS NULL) <> (unit_station_code IS NULL)', name=op.f('ck_rectifications_one_responsible_unit')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_rectifications_evaluation_id_evaluations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_code'], ['stations.code'], name=op.f('fk_rectifications_station_code_stations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_rectifications_submission_id_submissions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_department_code'], ['departments.code'], name=op.f('fk_rectifications_unit_department_code_departments')),
    sa.ForeignKeyConstraint(['unit_station_code'], ['stations.code'], name=op.f('fk_rectifications_unit_station_code_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_rectifications_evaluation_id'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('ix_rectifications_unit_department', ['unit_department_code', 'state'], unique=False)
        batch_op.create_index('ix_rectifications_unit_station', ['unit_station_code', 'state'], unique=False)

    op.create_table('rectification_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=10), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_escalations_rectification_id_rectifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_escalations')),
    sa.UniqueConstraint('rectification_id', 'clock', name=op.f('uq_rectification_escalations_rectification_id_clock'))
    )
    op.create_table('rectification_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_events_rectification_id_rectifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_events'))
    )
    with op.batch_alter_table('rectification_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_events_rectification_id'), ['rectification_id'], unique=False)

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='kiosk', nullable=False))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=40), nullable=True))
        batch_op.create_index('uq_evaluations_handle_once', ['receipt_no'], unique=True, sqlite_where=sa.text("at_stage = 'handle'"), postgresql_where=sa.text("at_stage = 'handle'"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('uq_evaluations_handle_once', sqlite_where=sa.text("at_stage = 'handle'"), postgresql_where=sa.text("at_stage = 'handle'"))
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('channel')

    with op.batch_alter_table('rectification_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_events_rectification_id'))

    op.drop_table('rectification_events')
    op.drop_table('rectification_escalations')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index('ix_rectifications_unit_station')
        batch_op.drop_index('ix_rectifications_unit_department')
        batch_op.drop_index(batch_op.f('ix_rectifications_submission_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_state'))

    op.drop_table('rectifications')
