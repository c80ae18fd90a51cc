"""extraction jobs: text extraction leaves the upload request for a worker

Revision ID: 0009_extraction_jobs
Revises: 0008_minutes_record
Create Date: 2026-12-02 09:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_extraction_jobs'
down_revision = '0008_minutes_record'
branch_labels = None
depends_on = None

_OPEN = "extraction IN ('pending', 'running')"


def upgrade():
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        # Versions uploaded before this revision had their text extracted then.
        batch_op.add_column(
            sa.Column('extraction', sa.String(length=16), server_default='done', nullable=False)
        )
        batch_op.add_column(
            sa.Column('extraction_attempts', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('extraction_started_at', sa.DateTime(), nullable=True))
        batch_op.create_index(
            'ix_document_version_extraction_open',
            ['id'],
            unique=False,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )


def downgrade():
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_document_version_extraction_open',
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )
        batch_op.drop_column('extraction_started_at')
        batch_op.drop_column('extraction_attempts')
        batch_op.drop_column('extraction')
