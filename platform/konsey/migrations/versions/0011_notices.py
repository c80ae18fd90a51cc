"""notices: a person's choice for "needs you" notices, what each outbox row is
about and its unsubscribe class, and how far each digest read

Revision ID: 0011_notices
Revises: 0010_account_secrets
Create Date: 2026-12-02 19:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0011_notices'
down_revision = '0010_account_secrets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(
            sa.Column(
                'notices',
                sa.Enum('immediately', 'digest', name='noticemode', native_enum=False,
                        create_constraint=True, length=16),
                nullable=False,
                server_default='immediately',
            )
        )
    with op.batch_alter_table('outbox_message') as batch:
        batch.add_column(sa.Column('about', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('list_class', sa.String(length=16), nullable=True))
    with op.batch_alter_table('digest_run') as batch:
        batch.add_column(sa.Column('last_event_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('digest_run') as batch:
        batch.drop_column('last_event_id')
    with op.batch_alter_table('outbox_message') as batch:
        batch.drop_column('list_class')
        batch.drop_column('about')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_constraint('noticemode', type_='check')
        batch.drop_column('notices')
