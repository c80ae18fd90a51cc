"""Migration 0014 moves every attendance row into the list of participants,
on SQLite and PostgreSQL: a database made at 0013, filled with plain SQL,
upgraded, read back (and downgraded again)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tests.integration.test_migrations import _app, empty_database  # noqa: F401

NOW = datetime(2026, 11, 30, 12, 0)
REGISTERED_AT = datetime(2026, 11, 1, 9, 30)


def _fill(conn) -> None:
    def insert(table, **values):
        columns = ", ".join(values)
        params = ", ".join(f":{k}" for k in values)
        conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)

    insert(
        "member_state",
        id=1,
        code="KZ",
        name="Kazakhstan",
        names="{}",
        status="member",
        capital_timezone="Asia/Almaty",
    )
    for user_id, name, state in [
        (1, "Nurlan", 1),
        (2, "Dana", 1),
        (3, "Aigul", 1),
        (4, "PD", None),
    ]:
        insert(
            "user_account",
            id=user_id,
            email=f"u{user_id}@example.org",
            name=name,
            member_state_id=state,
            locale="en",
            timezone="UTC",
            digest="off",
            is_admin=False,
            active=True,
            session_nonce="n",
            created_at=NOW,
        )
    insert("working_group", id=1, slug="cyber", name="Cyber", mandate="", created_at=NOW)
    for meeting_id, status in [(1, "held"), (2, "planned")]:
        insert(
            "meeting",
            id=meeting_id,
            group_id=1,
            title=f"Meeting {meeting_id}",
            number="",
            timezone="UTC",
            venue_city="",
            venue_address="",
            online_url="",
            status=status,
            ical_uid=f"m{meeting_id}@konsey",
            sequence=0,
            created_at=NOW,
            updated_at=NOW,
        )
    rows = [
        # held meeting: attendance recorded (someone came)
        (1, 1, 1, 1, True, True),  # registered, came
        (2, 1, 2, 1, True, False),  # registered, did not come
        (3, 1, 3, 1, False, True),  # came without registering
        (4, 1, 4, None, False, False),  # withdrew
        # planned meeting: nothing recorded yet
        (5, 2, 1, 1, True, False),
        (6, 2, 2, 1, False, False),
    ]
    for row_id, meeting_id, user_id, state, registered, attended in rows:
        insert(
            "attendance",
            id=row_id,
            meeting_id=meeting_id,
            user_id=user_id,
            member_state_id=state,
            registered=registered,
            attended=attended,
            updated_at=REGISTERED_AT,
        )


def _participants(conn) -> dict[tuple[int, int], tuple]:
    result = conn.execute(
        sa.text(
            "SELECT meeting_id, user_id, member_state_id, name, registered, registered_by_id, "
            "registered_at, attended, attendance_recorded_at, confirmed_at, is_head "
            "FROM meeting_participant"
        )
    )
    return {(r[0], r[1]): tuple(r[2:]) for r in result}


def _at(value):
    return value if isinstance(value, datetime) or value is None else datetime.fromisoformat(value)


def test_attendance_rows_become_participants_without_loss(empty_database, tmp_path):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    from konsey.extensions import db

    app = _app(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0013_action_closeout")
        with db.engine.begin() as conn:
            _fill(conn)
        upgrade(revision="0014_participants")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "attendance" not in tables and "meeting_participant" in tables
        with db.engine.connect() as conn:
            moved = _participants(conn)
        assert set(moved) == {(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2)}
        # (state, name, registered, registered by, registered at, attended, recorded at)
        got = {
            key: (v[0], v[1], bool(v[2]), v[3], _at(v[4]), v[5], _at(v[6]))
            for key, v in moved.items()
        }
        assert got[(1, 1)] == (1, "", True, 1, REGISTERED_AT, True, REGISTERED_AT)
        assert got[(1, 2)] == (1, "", True, 2, REGISTERED_AT, False, REGISTERED_AT)
        assert got[(1, 3)] == (1, "", False, None, None, True, REGISTERED_AT)
        assert got[(1, 4)] == (None, "", False, None, None, False, REGISTERED_AT)
        # Nobody was marked present at the planned meeting: not recorded (None).
        assert got[(2, 1)] == (1, "", True, 1, REGISTERED_AT, None, None)
        assert got[(2, 2)] == (1, "", False, None, None, None, None)
        assert all(v[7] is None and not v[8] for v in moved.values())  # not confirmed, no head

        # The list of participants reads them: the meeting's page shows who came.
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO meeting_participant (meeting_id, member_state_id, name, title, "
                    "organisation, email, is_head, accreditation_reference, registered, "
                    "updated_at) VALUES (1, 1, 'Minister', '', '', '', :f, '', :t, :now)"
                ),
                {"f": False, "t": True, "now": NOW},
            )

        downgrade(revision="0013_action_closeout")
        with db.engine.connect() as conn:
            back = {
                (r[0], r[1]): (bool(r[2]), bool(r[3]))
                for r in conn.execute(
                    sa.text("SELECT meeting_id, user_id, registered, attended FROM attendance")
                )
            }
        # People with accounts come back; the named participant had no place there.
        assert back == {
            (1, 1): (True, True),
            (1, 2): (True, False),
            (1, 3): (False, True),
            (1, 4): (False, False),
            (2, 1): (True, False),
            (2, 2): (False, False),
        }
        upgrade()
