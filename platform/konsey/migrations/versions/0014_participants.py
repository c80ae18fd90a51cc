"""the list of participants of a meeting

Creates meeting_participant, moves every attendance row into it (registered
stays registered; attended True stays True; attended False becomes False
where attendance was recorded for that meeting, i.e. someone is marked as
present, and "not recorded" (NULL) elsewhere), then drops attendance.

Revision ID: 0014_participants
Revises: 0013_action_closeout
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0014_participants'
down_revision = '0013_action_closeout'
branch_labels = None
depends_on = None


def _attendance_table():
    return sa.table(
        'attendance',
        sa.column('id', sa.Integer()),
        sa.column('meeting_id', sa.Integer()),
        sa.column('user_id', sa.Integer()),
        sa.column('member_state_id', sa.Integer()),
        sa.column('registered', sa.Boolean()),
        sa.column('attended', sa.Boolean()),
        sa.column('updated_at', sa.DateTime()),
    )


def _participant_table():
    return sa.table(
        'meeting_participant',
        sa.column('meeting_id', sa.Integer()),
        sa.column('member_state_id', sa.Integer()),
        sa.column('user_id', sa.Integer()),
        sa.column('name', sa.String()),
        sa.column('title', sa.String()),
        sa.column('organisation', sa.String()),
        sa.column('email', sa.String()),
        sa.column('is_head', sa.Boolean()),
        sa.column('accreditation_reference', sa.String()),
        sa.column('registered', sa.Boolean()),
        sa.column('registered_by_id', sa.Integer()),
        sa.column('registered_at', sa.DateTime()),
        sa.column('attended', sa.Boolean()),
        sa.column('attendance_recorded_at', sa.DateTime()),
        sa.column('updated_at', sa.DateTime()),
    )


def upgrade():
    op.create_table('meeting_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_state_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('is_head', sa.Boolean(), nullable=False),
    sa.Column('accreditation_reference', sa.String(length=120), nullable=False),
    sa.Column('accreditation_date', sa.Date(), nullable=True),
    sa.Column('registered', sa.Boolean(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('attendance_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("user_id IS NOT NULL OR name <> ''", name=op.f('ck_meeting_participant_someone')),
    sa.ForeignKeyConstraint(['attendance_recorded_by_id'], ['user_account.id'], name=op.f('fk_meeting_participant_attendance_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_meeting_participant_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_participant_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_state_id'], ['member_state.id'], name=op.f('fk_meeting_participant_member_state_id_member_state'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_meeting_participant_registered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_participant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_participant')),
    sa.UniqueConstraint('meeting_id', 'user_id', name='uq_meeting_participant_meeting_user')
    )
    with op.batch_alter_table('meeting_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_participant_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_participant_user_id'), ['user_id'], unique=False)

    old = _attendance_table()
    other = old.alias('recorded')
    new = _participant_table()
    # The meeting's attendance was recorded when anyone is marked present.
    recorded = (
        sa.select(other.c.id)
        .where(other.c.meeting_id == old.c.meeting_id, other.c.attended == sa.true())
        .exists()
    )
    attended = sa.case(
        (old.c.attended == sa.true(), sa.true()),
        (recorded, sa.false()),
        else_=sa.null(),
    )
    registered_at = sa.case((old.c.registered == sa.true(), old.c.updated_at), else_=sa.null())
    # A registration was always the delegate's own "I will attend".
    registered_by = sa.case((old.c.registered == sa.true(), old.c.user_id), else_=sa.null())
    recorded_at = sa.case((attended.isnot(None), old.c.updated_at), else_=sa.null())
    rows = sa.select(
        old.c.meeting_id,
        old.c.member_state_id,
        old.c.user_id,
        sa.literal(''),
        sa.literal(''),
        sa.literal(''),
        sa.literal(''),
        sa.false(),
        sa.literal(''),
        old.c.registered,
        registered_by,
        registered_at,
        attended,
        recorded_at,
        old.c.updated_at,
    ).order_by(old.c.id)
    op.execute(
        new.insert().from_select(
            [
                'meeting_id', 'member_state_id', 'user_id', 'name', 'title', 'organisation',
                'email', 'is_head', 'accreditation_reference', 'registered',
                'registered_by_id', 'registered_at', 'attended', 'attendance_recorded_at',
                'updated_at',
            ],
            rows,
        )
    )

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_meeting_id'))
    op.drop_table('attendance')


def downgrade():
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('member_state_id', sa.Integer(), nullable=True),
    sa.Column('registered', sa.Boolean(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_attendance_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_state_id'], ['member_state.id'], name=op.f('fk_attendance_member_state_id_member_state'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_attendance_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'user_id', name='uq_attendance_meeting_user')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_meeting_id'), ['meeting_id'], unique=False)

    # Participants without an account had no place in attendance: they are lost
    # on the way down.
    old = _attendance_table()
    new = sa.table(
        'meeting_participant',
        sa.column('id', sa.Integer()),
        sa.column('meeting_id', sa.Integer()),
        sa.column('user_id', sa.Integer()),
        sa.column('member_state_id', sa.Integer()),
        sa.column('registered', sa.Boolean()),
        sa.column('attended', sa.Boolean()),
        sa.column('updated_at', sa.DateTime()),
    )
    op.execute(
        old.insert().from_select(
            ['meeting_id', 'user_id', 'member_state_id', 'registered', 'attended', 'updated_at'],
            sa.select(
                new.c.meeting_id,
                new.c.user_id,
                new.c.member_state_id,
                new.c.registered,
                sa.func.coalesce(new.c.attended, sa.false()),
                new.c.updated_at,
            )
            .where(new.c.user_id.isnot(None))
            .order_by(new.c.id),
        )
    )

    with op.batch_alter_table('meeting_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_participant_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_participant_meeting_id'))
    op.drop_table('meeting_participant')
