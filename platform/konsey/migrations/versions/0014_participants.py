"""the list of participants of a meeting

Revision ID: 0014_participants
Revises: 0013_action_closeout
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0014_participants'
down_revision = '0013_action_closeout'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
