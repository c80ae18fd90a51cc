"""account secrets: outbox rows name the login link they need instead of holding it

Revision ID: 0010_account_secrets
Revises: 0009_extraction_jobs
Create Date: 2026-12-02 09:00:00

"""
import re

import sqlalchemy as sa
from alembic import op


revision = '0010_account_secrets'
down_revision = '0009_extraction_jobs'
branch_labels = None
depends_on = None

# Reset and set-up links written into bodies before this revision.
_LINK = re.compile(r'https?://[^\s"<>]*/(?:password/reset|account/setup)/[A-Za-z0-9._\-]+')
_PLACEHOLDER = '[link sent to the recipient only]'


def upgrade():
    with op.batch_alter_table('outbox_message') as batch:
        batch.add_column(sa.Column('link_purpose', sa.String(length=16), nullable=True))
    # Bodies queued before this revision still hold live links: redact them
    # (a queued one is then sent with the placeholder; the user asks again).
    conn = op.get_bind()
    outbox = sa.table(
        'outbox_message',
        sa.column('id', sa.Integer),
        sa.column('body_text', sa.Text),
        sa.column('body_html', sa.Text),
    )
    rows = conn.execute(
        sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html).where(
            sa.or_(
                outbox.c.body_text.like('%/password/reset/%'),
                outbox.c.body_text.like('%/account/setup/%'),
            )
        )
    ).all()
    for row in rows:
        conn.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(
                body_text=_LINK.sub(_PLACEHOLDER, row.body_text or ''),
                body_html=_LINK.sub(_PLACEHOLDER, row.body_html) if row.body_html else None,
            )
        )


def downgrade():
    with op.batch_alter_table('outbox_message') as batch:
        batch.drop_column('link_purpose')
