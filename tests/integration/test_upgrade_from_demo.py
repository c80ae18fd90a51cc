"""Upgrading a real installation: a database made by the previous release's
migrations and filled by that release's demo loader is upgraded by this
release's migrations, on SQLite and on PostgreSQL, and nothing is lost.

The previous release is the commit before the first migration of issue 15
(its head is 0011_notices), taken from this repository's own history.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import DATABASE_URL, PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]
FIRST_NEW_MIGRATION = "platform/konsey/migrations/versions/0012_decisions_in_versions.py"
OLD_HEAD = "0011_notices"


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def old_release(tmp_path_factory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs this repository's git history (a clone, not an export)")
    added = _git("log", "--format=%H", "--diff-filter=A", "--", FIRST_NEW_MIGRATION).split()
    if not added:
        pytest.skip("the first migration of this release is not committed yet")
    previous = added[-1].decode() + "^"
    tree = tmp_path_factory.mktemp("previous-release")
    archive = _git("archive", "--format=tar", previous, "platform", "workers", "wsgi.py")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _flask(tree: Path, instance: Path, database_url: str, *args: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": f"{tree / 'platform'}{os.pathsep}{tree}",
        "KONSEY_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "KONSEY_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return {
                name: conn.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))
                for name in names
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


def _rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    if DATABASE_URL is None:
        pytest.skip("PostgreSQL is not available")
    name = f"konsey_upgrade_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_previous_releases_demo_survives_the_upgrade(old_release, database, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    _flask(old_release, instance, database, "db", "upgrade")
    assert _rows(database, "SELECT version_num FROM alembic_version") == [(OLD_HEAD,)]
    _flask(old_release, instance, database, "konsey", "demo")
    before = _counts(database)
    decisions = _rows(database, "SELECT id, minutes_id, text FROM decision ORDER BY id")
    statuses = _rows(database, "SELECT id, status FROM action_item ORDER BY id")
    signed = _rows(
        database, "SELECT id, signed_sha256, signed_record_sha256 FROM minutes ORDER BY id"
    )
    # The previous demo recorded no attendance: record some, as its users did.
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        members = conn.execute(
            sa.text(
                "SELECT m.id, ms.user_id, ms.member_state_id FROM meeting m "
                "JOIN membership ms ON ms.group_id = m.group_id ORDER BY m.id, ms.user_id"
            )
        ).all()[:3]
        for number, (meeting_id, user_id, state_id) in enumerate(members):
            conn.execute(
                sa.text(
                    "INSERT INTO attendance (meeting_id, user_id, member_state_id, registered,"
                    " attended, updated_at) VALUES (:m, :u, :s, :r, :a, CURRENT_TIMESTAMP)"
                ),
                {"m": meeting_id, "u": user_id, "s": state_id, "r": number != 1, "a": number == 0},
            )
    engine.dispose()
    attendance = _rows(
        database,
        "SELECT meeting_id, user_id, registered FROM attendance ORDER BY meeting_id, user_id",
    )
    attended = _rows(
        database,
        "SELECT meeting_id, user_id FROM attendance WHERE attended ORDER BY meeting_id, user_id",
    )
    assert decisions and statuses and signed and len(attendance) == 3 and attended

    # This release's migrations, then this release's demo loader (idempotent).
    _flask(ROOT, instance, database, "db", "upgrade")
    # The new search index starts empty; `make db` fills it once (0016).
    assert _counts(database)["search_index"] == 0
    out = _flask(ROOT, instance, database, "konsey", "reindex", "--if-empty")
    assert "Search index rebuilt" in out
    assert "already built" in _flask(ROOT, instance, database, "konsey", "reindex", "--if-empty")
    after = _counts(database)
    assert after["search_index"] >= before["document"] + before["action_item"]
    for table, count in before.items():
        if table in after:
            assert after[table] >= count, f"{table}: {count} rows before, {after[table]} after"
    assert _rows(database, "SELECT id, minutes_id, text FROM decision ORDER BY id") == decisions
    assert _rows(database, "SELECT id, status FROM action_item ORDER BY id") == statuses
    assert (
        _rows(database, "SELECT id, signed_sha256, signed_record_sha256 FROM minutes ORDER BY id")
        == signed
    )
    # Each decision belongs to the version it was made on and every later one.
    carried = _rows(
        database,
        "SELECT d.id, v.number, vd.text FROM minutes_version_decision vd "
        "JOIN decision d ON d.id = vd.decision_id "
        "JOIN minutes_version v ON v.id = vd.version_id ORDER BY d.id, v.number",
    )
    for decision_id, minutes_id, text in decisions:
        numbers = [n for d, n, t in carried if d == decision_id and t == text]
        last = _rows(
            database, f"SELECT max(number) FROM minutes_version WHERE minutes_id = {minutes_id}"
        )[0][0]
        assert numbers and numbers[-1] == last, (decision_id, numbers, last)
        assert numbers == list(range(numbers[0], last + 1))
    # Attendance became the list of participants: every row is there.
    assert "attendance" not in after
    moved = {
        (m, u): bool(r)
        for m, u, r in _rows(
            database,
            "SELECT meeting_id, user_id, registered FROM meeting_participant "
            "WHERE user_id IS NOT NULL",
        )
    }
    assert {(m, u): bool(r) for m, u, r in attendance}.items() <= moved.items()
    present = _rows(
        database,
        "SELECT meeting_id, user_id FROM meeting_participant WHERE attended "
        "ORDER BY meeting_id, user_id",
    )
    assert present == attended
    out = _flask(ROOT, instance, database, "konsey", "demo")
    assert "Demo logins" in out


def test_the_upgraded_demo_is_served(old_release, tmp_path):
    """Every meeting, minutes and action page of the upgraded data answers."""
    database = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    instance = tmp_path / "instance"
    instance.mkdir()
    _flask(old_release, instance, database, "db", "upgrade")
    _flask(old_release, instance, database, "konsey", "demo")
    _flask(ROOT, instance, database, "db", "upgrade")
    from konsey import create_app

    app = create_app(
        {
            "KONSEY_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "upgrade-test",
            "SQLALCHEMY_DATABASE_URI": database,
            "MAIL_FOLDER": str(tmp_path / "mail"),
            "MAIL_DELIVERY": "inline",
            "REDIS_URL": None,
            "WTF_CSRF_ENABLED": False,
        }
    )
    meetings = _rows(database, "SELECT id FROM meeting ORDER BY id")
    actions = _rows(
        database,
        "SELECT g.slug, a.id FROM action_item a JOIN working_group g ON g.id = a.group_id",
    )
    with app.test_client() as client:
        client.post(
            "/login",
            data={
                "email": "coordinator@secretariat.example.org",
                "password": app.config["DEMO_PASSWORD"],
            },
        )
        # The coordinator of every group sees every meeting and action...
        urls = [f"/meetings/{m}" for (m,) in meetings]
        urls += [f"/groups/{g}/actions/{a}" for g, a in actions]
        for url in urls:
            status = client.get(url).status_code
            assert status == 200, f"{url}: {status}"
        # The records signed by the previous release still verify.
        assert client.post("/language", data={"lang": "en"}).status_code == 302
        for (m,) in _rows(database, "SELECT meeting_id FROM minutes WHERE status = 'signed'"):
            page = client.get(f"/meetings/{m}/minutes").get_data(as_text=True)
            assert "The stored record matches its SHA-256." in page, m
        # ...and every meeting's minutes page (a record, or where to start one).
        for (m,) in meetings:
            status = client.get(f"/meetings/{m}/minutes").status_code
            assert status == 200, f"minutes of {m}: {status}"
