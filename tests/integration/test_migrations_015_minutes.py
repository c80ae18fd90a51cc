"""Migration 0012 moves each existing decision into the versions of its
minutes: the version current when it was recorded (the latest created at or
before it; the first if none) and every later one — on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.test_migrations import _app, empty_database  # noqa: F401


def test_decisions_move_into_the_versions(empty_database, tmp_path):  # noqa: F811
    from flask_migrate import upgrade

    from konsey.extensions import db

    app = _app(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0011_notices")
        with db.engine.begin() as conn:
            run = conn.execute
            run(
                sa.text(
                    "INSERT INTO working_group (id, slug, name, mandate, created_at) "
                    "VALUES (1, 'g', 'Group', '', '2017-11-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO meeting (id, group_id, title, number, timezone, status, "
                    "venue_city, venue_address, online_url, ical_uid, sequence, created_at, "
                    "updated_at) VALUES (1, 1, 'M', '', 'UTC', 'held', '', '', '', 'uid-1', 0, "
                    "'2017-11-01 00:00:00', '2017-11-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO agenda_item (id, meeting_id, position, title, description, "
                    "outcome, is_review) VALUES (7, 1, 1, 'Item', '', '', false)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO minutes (id, meeting_id, status, silence_procedure) "
                    "VALUES (1, 1, 'circulated', false)"
                )
            )
            for n, day in (
                (1, "2017-11-09 11:00:00"),
                (2, "2017-11-09 12:00:00"),
                (3, "2017-11-09 13:00:00"),
            ):
                run(
                    sa.text(
                        "INSERT INTO minutes_version (id, minutes_id, number, text, sha256, note, "
                        "created_at) VALUES (:id, 1, :n, :t, :h, '', :at)"
                    ),
                    {"id": 10 + n, "n": n, "t": f"Text {n}", "h": "0" * 64, "at": day},
                )
            decisions = [
                # recorded before any version: from the first
                (1, 1, "Early.", 7, "2017-11-09 10:00:00"),
                # recorded while version 2 was current
                (2, 2, "Middle.", None, "2017-11-09 12:30:00"),
                # recorded after version 3
                (3, 3, "Late.", 7, "2017-11-09 15:00:00"),
            ]
            for did, pos, text, item, at in decisions:
                run(
                    sa.text(
                        "INSERT INTO decision (id, minutes_id, agenda_item_id, position, text, "
                        "created_at) VALUES (:id, 1, :item, :pos, :text, :at)"
                    ),
                    {"id": did, "item": item, "pos": pos, "text": text, "at": at},
                )
            run(
                sa.text(
                    "INSERT INTO action_item (id, group_id, title, description, due_date, status, "
                    "priority, decision_id, created_at, updated_at) VALUES (5, 1, 'Act', '', "
                    "'2018-01-01', 'open', 'normal', 2, '2017-11-10 00:00:00', "
                    "'2017-11-10 00:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT v.number, d.decision_id, d.position, d.text, d.agenda_item_id "
                    "FROM minutes_version_decision d JOIN minutes_version v ON v.id = d.version_id "
                    "ORDER BY v.number, d.position"
                )
            ).all()
            kept = conn.execute(
                sa.text(
                    "SELECT id, text, position, agenda_item_id, removed_in_version FROM decision "
                    "ORDER BY id"
                )
            ).all()
            action = conn.execute(sa.text("SELECT decision_id FROM action_item")).scalar()
        assert [tuple(r) for r in rows] == [
            (1, 1, 1, "Early.", 7),
            (2, 1, 1, "Early.", 7),
            (2, 2, 2, "Middle.", None),
            (3, 1, 1, "Early.", 7),
            (3, 2, 2, "Middle.", None),
            (3, 3, 3, "Late.", 7),
        ]
        assert [tuple(r) for r in kept] == [
            (1, "Early.", 1, 7, None),
            (2, "Middle.", 2, None, None),
            (3, "Late.", 3, 7, None),
        ]
        assert action == 2
        db.engine.dispose()
