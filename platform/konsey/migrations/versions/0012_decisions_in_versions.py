"""decisions belong to a minutes version

Each minutes version records its decisions (minutes_version_decision); the
decision row stays the decision's identity (actions point at it) and keeps
its latest wording, plus removed_in_version. Existing decisions go into the
version that was current when they were recorded (the latest version
created at or before decision.created_at; the first version if none) and
into every later version (the old model showed them with every version).

Revision ID: 0012_decisions_in_versions
Revises: 0011_notices
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0012_decisions_in_versions'
down_revision = '0011_notices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'minutes_version_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('agenda_item_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['agenda_item_id'], ['agenda_item.id'],
            name=op.f('fk_minutes_version_decision_agenda_item_id_agenda_item'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['decision_id'], ['decision.id'],
            name=op.f('fk_minutes_version_decision_decision_id_decision'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['version_id'], ['minutes_version.id'],
            name=op.f('fk_minutes_version_decision_version_id_minutes_version'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_version_decision')),
        sa.UniqueConstraint('version_id', 'decision_id', name='uq_minutes_version_decision'),
    )
    with op.batch_alter_table('minutes_version_decision', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_minutes_version_decision_version_id'), ['version_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_minutes_version_decision_decision_id'), ['decision_id'], unique=False
        )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_in_version', sa.Integer(), nullable=True))

    # Move the data: plain SQL that PostgreSQL and SQLite both run.
    # The number of the version current when the decision was recorded:
    # the latest created at or before it, else the first.
    op.execute(
        """
        INSERT INTO minutes_version_decision
            (version_id, decision_id, position, text, agenda_item_id)
        SELECT v.id, d.id, d.position, d.text, d.agenda_item_id
        FROM decision d
        JOIN minutes_version v ON v.minutes_id = d.minutes_id
        WHERE v.number >= COALESCE(
            (SELECT MAX(v2.number) FROM minutes_version v2
             WHERE v2.minutes_id = d.minutes_id AND v2.created_at <= d.created_at),
            (SELECT MIN(v3.number) FROM minutes_version v3
             WHERE v3.minutes_id = d.minutes_id)
        )
        """
    )


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('removed_in_version')
    with op.batch_alter_table('minutes_version_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_version_decision_decision_id'))
        batch_op.drop_index(batch_op.f('ix_minutes_version_decision_version_id'))
    op.drop_table('minutes_version_decision')
