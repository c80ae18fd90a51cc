"""actions reported done, acknowledged by the secretariat, edited with a history

The three status CHECK constraints gain 'reported' (rows keep their statuses);
an update's document becomes a real foreign key (ON DELETE SET NULL; an id
that names no document is cleared first, it linked to nothing); an edit's
changes are kept as JSON on its update.

Revision ID: 0013_action_closeout
Revises: 0012_decisions_in_versions
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0013_action_closeout'
down_revision = '0012_decisions_in_versions'
branch_labels = None
depends_on = None

OLD = ('open', 'in_progress', 'done', 'cancelled')
NEW = ('open', 'in_progress', 'reported', 'done', 'cancelled')
CHECKS = [
    ('action_item', 'status', 'ck_action_item_actionstatus'),
    ('action_update', 'old_status', 'ck_action_update_actionstatus_old'),
    ('action_update', 'new_status', 'ck_action_update_actionstatus_new'),
]
DOCUMENT_FK = 'fk_action_update_document_id_document'


def _condition(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _recreate_checks(values):
    # SQLite cannot alter a CHECK constraint in place: it copies the table;
    # PostgreSQL drops and adds the constraint.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in ('action_item', 'action_update'):
        with op.batch_alter_table(table, recreate='always' if sqlite else 'never') as batch:
            for t, column, name in CHECKS:
                if t == table:
                    batch.drop_constraint(op.f(name), type_='check')
                    batch.create_check_constraint(op.f(name), _condition(column, values))


def upgrade():
    _recreate_checks(NEW)
    op.execute(
        "UPDATE action_update SET document_id = NULL WHERE document_id IS NOT NULL"
        " AND document_id NOT IN (SELECT id FROM document)"
    )
    with op.batch_alter_table('action_update') as batch:
        batch.add_column(sa.Column('changes', sa.JSON(), nullable=True))
        batch.create_foreign_key(
            op.f(DOCUMENT_FK), 'document', ['document_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('action_update') as batch:
        batch.drop_constraint(op.f(DOCUMENT_FK), type_='foreignkey')
        batch.drop_column('changes')
    # Before 'reported' existed, such an item was still owed by its state.
    op.execute("UPDATE action_item SET status = 'in_progress' WHERE status = 'reported'")
    op.execute("UPDATE action_update SET old_status = 'in_progress' WHERE old_status = 'reported'")
    op.execute("UPDATE action_update SET new_status = 'in_progress' WHERE new_status = 'reported'")
    _recreate_checks(OLD)
