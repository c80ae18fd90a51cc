"""Migration 0013_action_closeout moves existing action rows without loss:
every old status survives, on SQLite and on PostgreSQL; 'reported' is
accepted afterwards and nothing else; evidence ids become a foreign key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.test_migrations import _app
from tests.integration.test_migrations import empty_database as empty_database  # the fixture

OLD_STATUSES = ["open", "in_progress", "done", "cancelled"]
BEFORE, AFTER = "0012_decisions_in_versions", "0013_action_closeout"


def _fill(conn) -> None:
    run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
    run("INSERT INTO member_state (id, code, name, names, status, capital_timezone) "
        "VALUES (1, 'KZ', 'Kazakhstan', '{}', 'member', 'Asia/Almaty')")  # fmt: skip
    run("INSERT INTO working_group (id, slug, name, mandate, created_at) "
        "VALUES (1, 'wg', 'WG', '', CURRENT_TIMESTAMP)")  # fmt: skip
    run("INSERT INTO user_account (id, email, name, member_state_id, locale, timezone, digest,"
        " is_admin, active, session_nonce, created_at) VALUES (1, 'kz@kz.example.org', 'K', 1,"
        " 'en', 'UTC', 'daily', false, true, 'n', CURRENT_TIMESTAMP)")  # fmt: skip
    run("INSERT INTO document (id, group_id, title, description, kind, visibility, created_at,"
        " updated_at) VALUES (7, 1, 'Note verbale', '', 'report', 'group', CURRENT_TIMESTAMP,"
        " CURRENT_TIMESTAMP)")  # fmt: skip
    for n, status in enumerate(OLD_STATUSES, 1):
        run("INSERT INTO action_item (id, group_id, title, description, owner_state_id, due_date,"
            " status, priority, created_at, updated_at) VALUES (:id, 1, :title, '', 1,"
            " '2026-12-22', :status, 'normal', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            id=n, title=f"Item {status}", status=status)  # fmt: skip
        run("INSERT INTO action_update (id, action_id, user_id, created_at, old_status, new_status,"
            " comment, reference, document_id) VALUES (:id, :a, 1, CURRENT_TIMESTAMP, NULL,"
            " 'open', '', '', NULL)", id=10 + n, a=n)  # fmt: skip
        if status != "open":
            run("INSERT INTO action_update (id, action_id, user_id, created_at, old_status,"
                " new_status, comment, reference, document_id) VALUES (:id, :a, 1,"
                " CURRENT_TIMESTAMP, 'open', :status, 'Sent', 'NV 12-3/456', :doc)",
                id=20 + n, a=n, status=status,
                doc={"done": 7, "in_progress": 999}.get(status))  # fmt: skip


def test_0013_keeps_every_old_status_and_accepts_reported(empty_database, tmp_path):
    from flask_migrate import downgrade, upgrade

    from konsey.extensions import db

    app = _app(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _fill(conn)
        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            items = conn.execute(sa.text("SELECT id, title, status FROM action_item ORDER BY id"))
            assert [tuple(r) for r in items] == [
                (n, f"Item {s}", s) for n, s in enumerate(OLD_STATUSES, 1)
            ]
            updates = conn.execute(
                sa.text(
                    "SELECT id, old_status, new_status, reference, document_id, changes"
                    " FROM action_update ORDER BY id"
                )
            ).all()
            assert [(u.id, u.old_status, u.new_status) for u in updates] == [
                (11, None, "open"), (12, None, "open"), (13, None, "open"), (14, None, "open"),
                (22, "open", "in_progress"), (23, "open", "done"), (24, "open", "cancelled"),
            ]  # fmt: skip
            by_id = {u.id: u for u in updates}
            assert by_id[23].document_id == 7  # a real document stays linked
            assert by_id[22].document_id is None  # an id that named no document is cleared
            assert by_id[23].reference == "NV 12-3/456"
            assert all(u.changes is None for u in updates)
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE action_item SET status = 'reported' WHERE id = 2"))
            conn.execute(
                sa.text(
                    "INSERT INTO action_update (id, action_id, created_at, old_status,"
                    " new_status, comment, reference) VALUES (30, 2, CURRENT_TIMESTAMP,"
                    " 'in_progress', 'reported', '', '')"
                )
            )
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE action_item SET status = 'finished' WHERE id = 1"))
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(sa.text("PRAGMA foreign_keys = ON"))
            conn.execute(sa.text("UPDATE action_update SET document_id = 998 WHERE id = 23"))
        # Purging a document leaves the entry, without its link.
        with db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(sa.text("PRAGMA foreign_keys = ON"))
            conn.execute(sa.text("DELETE FROM document WHERE id = 7"))
        with db.engine.connect() as conn:
            assert (
                conn.scalar(sa.text("SELECT document_id FROM action_update WHERE id = 23")) is None
            )

        # And back: a reported item is still owed (in progress) before 0013.
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            statuses = conn.execute(sa.text("SELECT status FROM action_item ORDER BY id"))
            assert [s for (s,) in statuses] == ["open", "in_progress", "done", "cancelled"]
        db.engine.dispose()
