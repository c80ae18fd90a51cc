"""minutes: participants fixed per version, the signed record's snapshot

Revision ID: 0008_minutes_record
Revises: 0007_scale_indexes
Create Date: 2026-12-02 09:00:00

Backfills both for records that exist: each non-draft record's versions get
the states that recorded a position on them (and a circulated record's
current version today's delegations); each signed record gets its snapshot,
built from what it shows today (konsey.minutes.record's format 1).
"""
import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision = '0008_minutes_record'
down_revision = '0007_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('minutes_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('member_state_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('circulated', 'joined', name='participationreason', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_state_id'], ['member_state.id'], name=op.f('fk_minutes_participant_member_state_id_member_state'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['minutes_version.id'], name=op.f('fk_minutes_participant_version_id_minutes_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_participant')),
    sa.UniqueConstraint('version_id', 'member_state_id', name='uq_minutes_participant_state')
    )
    with op.batch_alter_table('minutes_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_participant_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_record', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('signed_record_sha256', sa.String(length=64), nullable=True))

    _backfill_participants()
    _backfill_signed_records()


def downgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_column('signed_record_sha256')
        batch_op.drop_column('signed_record')

    with op.batch_alter_table('minutes_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_participant_version_id'))

    op.drop_table('minutes_participant')


def _backfill_participants():
    now = datetime.now(UTC).replace(tzinfo=None)
    # Every state that took a position on a version of a non-draft record.
    op.execute(sa.text(
        "INSERT INTO minutes_participant (version_id, member_state_id, reason, added_at) "
        "SELECT DISTINCT p.version_id, p.member_state_id, 'circulated', :now "
        "FROM minutes_position p JOIN minutes_version v ON v.id = p.version_id "
        "JOIN minutes m ON m.id = v.minutes_id WHERE m.status <> 'draft'"
    ).bindparams(now=now))
    # A circulated record's current version: today's delegations too.
    op.execute(sa.text(
        "INSERT INTO minutes_participant (version_id, member_state_id, reason, added_at) "
        "SELECT DISTINCT v.id, s.id, 'circulated', :now "
        "FROM minutes m JOIN minutes_version v ON v.minutes_id = m.id "
        "JOIN meeting mt ON mt.id = m.meeting_id "
        "JOIN membership ms ON ms.group_id = mt.group_id "
        "JOIN user_account u ON u.id = ms.user_id "
        "JOIN member_state s ON s.id = ms.member_state_id "
        "WHERE m.status = 'circulated' AND s.status = 'member' AND u.active = :yes "
        "AND ms.role IN ('head', 'delegate', 'expert') "
        "AND v.number = (SELECT max(v2.number) FROM minutes_version v2 WHERE v2.minutes_id = m.id) "
        "AND NOT EXISTS (SELECT 1 FROM minutes_participant x "
        "WHERE x.version_id = v.id AND x.member_state_id = s.id)"
    ).bindparams(now=now, yes=True))


def _iso(value):
    return value.replace(tzinfo=UTC).isoformat() if value is not None else None


def _rows(sql, _types=None, **params):
    query = sa.text(sql).columns(**(_types or {}))
    return op.get_bind().execute(query, params).mappings().all()


def _backfill_signed_records():
    dt = sa.DateTime()
    signed = _rows(
        "SELECT m.id, m.comment_deadline, m.silence_procedure, m.agreed_at, m.signed_at, "
        "m.signed_by_id, u.name AS signer, mt.id AS meeting_id, mt.title, mt.number, "
        "mt.starts_at, mt.ends_at, mt.timezone, mt.venue_address, mt.venue_city, "
        "mt.online_url, g.slug, g.name AS group_name "
        "FROM minutes m JOIN meeting mt ON mt.id = m.meeting_id "
        "JOIN working_group g ON g.id = mt.group_id "
        "LEFT JOIN user_account u ON u.id = m.signed_by_id "
        "WHERE m.status = 'signed' AND m.signed_record IS NULL",
        _types={'comment_deadline': dt, 'agreed_at': dt, 'signed_at': dt,
                'starts_at': dt, 'ends_at': dt, 'silence_procedure': sa.Boolean()},
    )
    for m in signed:
        version = _rows(
            "SELECT id, number, text, sha256, created_at FROM minutes_version "
            "WHERE minutes_id = :id ORDER BY number DESC LIMIT 1",
            id=m['id'], _types={'created_at': dt},
        )[0]
        decisions = _rows(
            "SELECT d.id, d.position, d.text, a.id AS item_id, a.position AS item_position, "
            "a.title AS item_title FROM decision d LEFT JOIN agenda_item a "
            "ON a.id = d.agenda_item_id WHERE d.minutes_id = :id ORDER BY d.position, d.id",
            id=m['id'],
        )
        states = _rows(
            "SELECT s.code, s.name, s.names, p.position, p.text, p.recorded_at, u.name AS recorder "
            "FROM minutes_position p JOIN member_state s ON s.id = p.member_state_id "
            "LEFT JOIN user_account u ON u.id = p.recorded_by_id "
            "WHERE p.version_id = :v ORDER BY s.name, s.code",
            v=version['id'], _types={'recorded_at': dt, 'names': sa.JSON()},
        )
        data = {
            'format': 1,
            'group': {'slug': m['slug'], 'name': m['group_name']},
            'meeting': {
                'id': m['meeting_id'], 'title': m['title'], 'number': m['number'],
                'starts_at': _iso(m['starts_at']), 'ends_at': _iso(m['ends_at']),
                'timezone': m['timezone'],
                'venue': ', '.join(p for p in (m['venue_address'], m['venue_city']) if p),
                'online_url': m['online_url'],
            },
            'version': {
                'number': version['number'], 'text': version['text'],
                'sha256': version['sha256'], 'created_at': _iso(version['created_at']),
            },
            'comment_deadline': _iso(m['comment_deadline']),
            'silence_procedure': bool(m['silence_procedure']),
            'agreed_at': _iso(m['agreed_at']),
            'decisions': [
                {
                    'id': d['id'], 'position': d['position'], 'text': d['text'],
                    'agenda_item': {'id': d['item_id'], 'position': d['item_position'],
                                    'title': d['item_title']} if d['item_id'] else None,
                }
                for d in decisions
            ],
            'states': [
                {
                    'code': s['code'], 'name': s['name'], 'names': dict(s['names'] or {}),
                    'position': s['position'], 'text': s['text'],
                    'recorded_at': _iso(s['recorded_at']), 'recorded_by': s['recorder'],
                }
                for s in states
            ],
            'signed_by': {'id': m['signed_by_id'], 'name': m['signer']},
            'signed_at': _iso(m['signed_at']),
        }
        text = json.dumps(data, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
        op.get_bind().execute(
            sa.text("UPDATE minutes SET signed_record = :r, signed_record_sha256 = :h WHERE id = :id"),
            {'r': text, 'h': hashlib.sha256(text.encode('utf-8')).hexdigest(), 'id': m['id']},
        )
