"""action items and their updates

Revision ID: 0004_actions
Revises: 0002
Create Date: 2026-11-29 09:42:40.162953

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_actions'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_state_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'cancelled', name='actionstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('priority', sa.Enum('low', 'normal', 'high', name='actionpriority', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_action_item_agenda_item_id_agenda_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_action_item_assignee_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_action_item_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_action_item_decision_id_decision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['working_group.id'], name=op.f('fk_action_item_group_id_working_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_action_item_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_state_id'], ['member_state.id'], name=op.f('fk_action_item_owner_state_id_member_state'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index('ix_action_item_group_due', ['group_id', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_owner_state_id'), ['owner_state_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_status'), ['status'], unique=False)

    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('old_status', sa.Enum('open', 'in_progress', 'done', 'cancelled', name='actionstatus_old', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('new_status', sa.Enum('open', 'in_progress', 'done', 'cancelled', name='actionstatus_new', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=300), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_action_update_action_id_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_action_update_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_update_action_id'), ['action_id'], unique=False)


def downgrade():
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_update_action_id'))

    op.drop_table('action_update')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_status'))
        batch_op.drop_index(batch_op.f('ix_action_item_owner_state_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_meeting_id'))
        batch_op.drop_index('ix_action_item_group_due')
        batch_op.drop_index(batch_op.f('ix_action_item_decision_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_assignee_id'))

    op.drop_table('action_item')
