"""decisions belong to a minutes version

Revision ID: 0012_decisions_in_versions
Revises: 0011_notices
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0012_decisions_in_versions'
down_revision = '0011_notices'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
