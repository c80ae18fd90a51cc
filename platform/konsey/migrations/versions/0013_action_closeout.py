"""actions reported done, acknowledged by the secretariat, edited with a history

Revision ID: 0013_action_closeout
Revises: 0012_decisions_in_versions
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0013_action_closeout'
down_revision = '0012_decisions_in_versions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
