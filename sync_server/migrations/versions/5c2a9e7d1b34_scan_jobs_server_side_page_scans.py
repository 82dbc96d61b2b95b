"""scan jobs: server-side page scans of the online channel (issue 15)

Revision ID: 5c2a9e7d1b34
Revises: 1804a0f214ea
Create Date: 2026-12-02 15:35:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '5c2a9e7d1b34'
down_revision: Union[str, Sequence[str], None] = '1804a0f214ea'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('scan_jobs',
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=False),
    sa.Column('material_hint', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=128), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_scan_jobs'))
    )
    op.create_index(op.f('ix_scan_jobs_owner'), 'scan_jobs', ['owner'], unique=False)
    op.create_index(op.f('ix_scan_jobs_lease_until'), 'scan_jobs', ['lease_until'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_scan_jobs_lease_until'), table_name='scan_jobs')
    op.drop_index(op.f('ix_scan_jobs_owner'), table_name='scan_jobs')
    op.drop_table('scan_jobs')
