"""Supervision (督办): the escalation log, staff phones for its SMS, the dashboard's indexes

Revision ID: d4a8e1f0c2b7
Revises: c7d2e9a41b53
Create Date: 2026-12-02 14:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd4a8e1f0c2b7'
down_revision: Union[str, Sequence[str], None] = 'c7d2e9a41b53'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('escalation_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=12), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('recipient_role', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('sms_message_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sms_message_id'], ['sms_outbox.id'], name=op.f('fk_escalation_steps_sms_message_id_sms_outbox'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_escalation_steps_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_escalation_steps_user_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_steps')),
    sa.UniqueConstraint('submission_id', 'clock', 'due', 'level', 'recipient', 'channel', name=op.f('uq_escalation_steps_submission_id')),
    )
    with op.batch_alter_table('escalation_steps', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_steps_recipient_at', ['recipient', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_steps_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_dashboard', ['department_code', 'collected_at'], unique=False, postgresql_include=['id', 'matter_code', 'station_code', 'source', 'state', 'receipt_no', 'transfer_due', 'transferred_at', 'accepted_at', 'promised_due', 'completed_at', 'delivered_at'])

    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.create_index('ix_submission_events_answers', ['submission_id', 'at'], unique=False, postgresql_where=sa.text("state IN ('accepted', 'correction_requested', 'rejected')"), sqlite_where=sa.text("state IN ('accepted', 'correction_requested', 'rejected')"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_events_answers')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_dashboard', postgresql_include=['id', 'matter_code', 'station_code', 'source', 'state', 'receipt_no', 'transfer_due', 'transferred_at', 'accepted_at', 'promised_due', 'completed_at', 'delivered_at'])

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('phone')

    with op.batch_alter_table('escalation_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_steps_submission_id'))
        batch_op.drop_index('ix_escalation_steps_recipient_at')

    op.drop_table('escalation_steps')
