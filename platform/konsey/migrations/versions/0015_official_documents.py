"""official documents: symbols and lineage, translation status, distribution, embargo

A group gains a symbol pattern; a document gains its symbol (unique across
the council), its parent and relation (revision, addendum, corrigendum), its
original language, a distribution marking (existing documents: general), the
delegation that uploaded it, and embargo / derestriction instants. The
document kind 'decision' joins the CHECK constraint. New tables: per-language
translation status, and the symbol counters.

Revision ID: 0015_official_documents
Revises: 0014_participants
Create Date: 2026-12-03 14:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0015_official_documents'
down_revision = '0014_participants'
branch_labels = None
depends_on = None

OLD_KINDS = ('working_paper', 'presentation', 'report', 'minutes', 'other')
NEW_KINDS = ('working_paper', 'presentation', 'report', 'minutes', 'decision', 'other')
KIND_CHECK = 'ck_document_documentkind'


def _kinds(values):
    return f"kind IN ({', '.join(repr(v) for v in values)})"


RELATIONS = ('revision', 'addendum', 'corrigendum')
DISTRIBUTIONS = ('general', 'limited', 'restricted')
TRANSLATION_STATUSES = ('original', 'requested', 'in_translation', 'available', 'not_planned')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table('working_group') as batch:
        batch.add_column(sa.Column('symbol_pattern', sa.String(length=120), nullable=True))

    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('document', recreate='always' if sqlite else 'auto') as batch:
        batch.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch.create_check_constraint(op.f(KIND_CHECK), _kinds(NEW_KINDS))
        batch.add_column(sa.Column('symbol', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('relation', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('relation_number', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('original_language', sa.String(length=8), nullable=True))
        batch.add_column(
            sa.Column(
                'distribution',
                sa.String(length=16),
                server_default='general',
                nullable=False,
            )
        )
        batch.add_column(sa.Column('origin_state_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('embargo_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('released_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('derestrict_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('derestricted_at', sa.DateTime(), nullable=True))
        batch.create_check_constraint(op.f('ck_document_relation'), _in('relation', RELATIONS))
        batch.create_check_constraint(
            op.f('ck_document_distribution'), _in('distribution', DISTRIBUTIONS)
        )
        batch.create_unique_constraint(op.f('uq_document_symbol'), ['symbol'])
        batch.create_index(op.f('ix_document_parent_id'), ['parent_id'], unique=False)
        batch.create_index(op.f('ix_document_origin_state_id'), ['origin_state_id'], unique=False)
        batch.create_index(op.f('ix_document_embargo_until'), ['embargo_until'], unique=False)
        batch.create_index(op.f('ix_document_derestrict_at'), ['derestrict_at'], unique=False)
        batch.create_foreign_key(
            op.f('fk_document_parent_id_document'), 'document', ['parent_id'], ['id'],
            ondelete='SET NULL',
        )
        batch.create_foreign_key(
            op.f('fk_document_origin_state_id_member_state'), 'member_state',
            ['origin_state_id'], ['id'], ondelete='SET NULL',
        )

    op.create_table('document_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_translation_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_document_translation_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.CheckConstraint(_in('status', TRANSLATION_STATUSES), name=op.f('ck_document_translation_translationstatus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_translation')),
    sa.UniqueConstraint('document_id', 'language', name='uq_document_translation_language'),
    )
    op.create_table('symbol_counter',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_symbol_counter')),
    )


def downgrade():
    op.drop_table('symbol_counter')
    op.drop_table('document_translation')
    op.execute("UPDATE document SET kind = 'other' WHERE kind = 'decision'")
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('document', recreate='always' if sqlite else 'auto') as batch:
        batch.drop_constraint(op.f('fk_document_origin_state_id_member_state'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_document_parent_id_document'), type_='foreignkey')
        batch.drop_index(op.f('ix_document_derestrict_at'))
        batch.drop_index(op.f('ix_document_embargo_until'))
        batch.drop_index(op.f('ix_document_origin_state_id'))
        batch.drop_index(op.f('ix_document_parent_id'))
        batch.drop_constraint(op.f('uq_document_symbol'), type_='unique')
        batch.drop_constraint(op.f('ck_document_distribution'), type_='check')
        batch.drop_constraint(op.f('ck_document_relation'), type_='check')
        for column in ('derestricted_at', 'derestrict_at', 'released_at', 'embargo_until',
                       'origin_state_id', 'distribution', 'original_language',
                       'relation_number', 'relation', 'parent_id', 'symbol'):
            batch.drop_column(column)
        batch.drop_constraint(op.f(KIND_CHECK), type_='check')
        batch.create_check_constraint(op.f(KIND_CHECK), _kinds(OLD_KINDS))
    with op.batch_alter_table('working_group') as batch:
        batch.drop_column('symbol_pattern')
