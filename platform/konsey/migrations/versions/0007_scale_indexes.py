"""scale: indexes for large libraries and many accounts

Revision ID: 0007_scale_indexes
Revises: 0006_account_security
Create Date: 2026-11-29 12:40:00

"""
from alembic import op


revision = '0007_scale_indexes'
down_revision = '0006_account_security'
branch_labels = None
depends_on = None


def upgrade():
    # The zones in use (konsey.actions.overdue.Clock): one probe per zone.
    op.create_index('ix_user_account_timezone', 'user_account', ['timezone'], unique=False)
    # A page of a library, newest first, read in index order.
    op.create_index(
        'ix_document_group_created', 'document', ['group_id', 'created_at'], unique=False
    )


def downgrade():
    op.drop_index('ix_document_group_created', table_name='document')
    op.drop_index('ix_user_account_timezone', table_name='user_account')
