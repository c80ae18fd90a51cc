"""Faults, with the real parts: the database dropping every connection under
load, the disk filling up during an upload, the web process killed in the
middle of one. Requests fail cleanly or succeed, nothing half-stored stays,
and `flask konsey cleanup` finds what an interrupted upload leaves behind."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from konsey.extensions import db
from konsey.models import Document, StoredFile
from tests.benchmarks import soak
from tests.benchmarks.soak import Gunicorn, WebUser
from tests.conftest import DATABASE_URL, IN_CI
from tests.integration.conftest import login_as
from tests.integration.documents_support import counts, stored, upload_form, version_form

ROOT = Path(__file__).resolve().parents[2]
HEADS = ["head.az@az.example.org", "head.kz@kz.example.org", "head.tr@tr.example.org"]
UNAVAILABLE = (
    "The database is unavailable",
    "Veritabanına şu anda erişilemiyor",
    "База данных недоступна",
)

needs_postgres = pytest.mark.skipif(
    DATABASE_URL is None and not IN_CI, reason="needs PostgreSQL (the production database)"
)


@pytest.fixture
def live(tmp_path):
    """A demo instance of its own (database and folders), for gunicorn to serve."""
    server = DATABASE_URL.rsplit("/", 1)[0]
    name = f"konsey_faults_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = soak.create_database(name, server)
    try:
        env = soak.prepare_instance(url, tmp_path / "instance")
        engine = sa.create_engine(url, pool_pre_ping=True)
        yield env, engine, name
        engine.dispose()
    finally:
        soak.drop_database(name, server)


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.text(sql), params)


# The database drops every connection, then refuses new ones ----------------------------
def _fault(engine, database: str, stop: threading.Event) -> None:
    """What clients see while PostgreSQL restarts: connections killed, then
    no connection at all for two seconds, then killed again."""
    kill = sa.text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = :db AND pid <> pg_backend_pid()"
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for _ in range(15):
            conn.execute(kill, {"db": database})
            time.sleep(0.2)
        conn.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(kill, {"db": database})
        time.sleep(2)
        conn.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true'))
        for _ in range(5):
            conn.execute(kill, {"db": database})
            time.sleep(0.2)
    stop.set()


@needs_postgres
def test_database_dropping_connections_under_load(live, tmp_path):
    env, engine, name = live
    admin = sa.create_engine(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(env, workers=2, threads=4, log=log).start()
    world = soak.world_of(engine)
    results: list[tuple[str, str, int | str, str]] = []  # phase, kind, status, comment
    phase = {"now": "before"}
    done = threading.Event()
    fault_over = threading.Event()

    def hammer(email: str) -> None:
        user = WebUser(server.url, email).login()
        state = email.split("@")[1].split(".")[0].upper()
        actions = [a for a in world["actions"] if a.code == state]
        while not done.is_set():
            for action in actions[:3]:
                now = phase["now"]
                comment = f"fault test {uuid.uuid4().hex}"
                try:
                    read = user.get(f"/groups/{action.slug}")
                    results.append((now, "read", read.status_code, ""))
                    if read.status_code == 503:
                        # In the user's language when it was known before the fault.
                        assert any(m in read.text for m in UNAVAILABLE), read.text[:200]
                    write = user.post(
                        f"/groups/{action.slug}/actions/{action.id}/update",
                        {"status": "in_progress", "comment": comment, "document": "0"},
                    )
                    results.append((phase["now"], "write", write.status_code, comment))
                except Exception as exc:
                    results.append((now, "error", repr(exc), ""))

    threads = [threading.Thread(target=hammer, args=(email,)) for email in HEADS]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(results) < 12 and time.monotonic() < deadline:
            time.sleep(0.1)
        phase["now"] = "during"
        _fault(admin, name, fault_over)
        phase["now"] = "after"
        time.sleep(4)
    finally:
        done.set()
        for t in threads:
            t.join(60)
        pid = server.proc.pid
        alive = server.proc.poll() is None
        server.stop()
        admin.dispose()

    statuses = {p: [r[2] for r in results if r[0] == p] for p in ("before", "during", "after")}
    assert not [r for r in results if r[1] == "error"], "requests were dropped"
    print({p: Counter(v) for p, v in statuses.items()})
    assert all(s in (200, 302, 503) for r in results for s in [r[2]]), statuses
    assert 503 in statuses["during"], "the fault did not reach the app"
    assert len(statuses["after"]) > 10
    assert all(s in (200, 302) for s in statuses["after"]), "the pool did not recover"
    # The same server, never restarted (nor its workers).
    assert alive and pid == server.proc.pid
    assert log.read_text().count("Booting worker") == 2
    # Every write that was answered with success is in the database.
    confirmed = [r[3] for r in results if r[1] == "write" and r[2] == 302]
    with engine.connect() as conn:
        stored_comments = set(conn.scalars(sa.text("SELECT comment FROM action_update")))
    assert confirmed and not [c for c in confirmed if c not in stored_comments]


def test_a_dropped_connection_is_a_503_page_not_a_500(app, client, world, monkeypatch):
    from konsey.groups import routes

    login_as(client, world, "delegate")

    def unavailable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(routes, "render_template", unavailable)
    response = client.get(f"/groups/{world['group'].slug}")
    assert response.status_code == 503
    assert "The database is unavailable; please try again." in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"


# The disk fills up during an upload --------------------------------------------------
@pytest.fixture
def small_disk(files_dir):
    """The document store on a 2 MB file system of its own."""
    if os.geteuid() != 0:
        if IN_CI:
            pytest.fail("CI runs as root: the disk-full test must run")
        pytest.skip("mounting a small tmpfs as the file store needs root")
    files_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(files_dir)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        if IN_CI:
            pytest.fail(f"cannot mount a tmpfs: {done.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield files_dir
    subprocess.run(["umount", "-l", str(files_dir)], check=False)


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size)


def test_disk_full_during_an_upload(small_disk, client, world):
    slug = world["group"].slug
    login_as(client, world, "delegate")
    before, files_before = counts(), stored(small_disk)

    response = upload_form(client, slug, [("too-big.pdf", _pdf(3 * 1024 * 1024))])
    assert response.status_code == 507
    assert "There is no room left to store the file" in response.get_data(as_text=True)
    assert counts() == before
    assert stored(small_disk) == files_before  # no partial file, no temporary file

    document = db.session.scalars(sa.select(Document).order_by(Document.id)).first()
    response = version_form(client, slug, document.id, "v2.pdf", _pdf(3 * 1024 * 1024))
    assert response.status_code == 507
    assert counts() == before
    assert stored(small_disk) == files_before

    # Space for a small file: the store works again at once.
    response = upload_form(client, slug, [("small.pdf", _pdf(100 * 1024))])
    assert response.status_code == 302
    assert counts()["Document"] == before["Document"] + 1


# The web process is killed during an upload ------------------------------------------
def _slow_upload(user: WebUser, slug: str, total: int, kill_after: int, kill) -> None:
    """A large multipart upload sent slowly on a raw socket; ``kill`` midway."""
    boundary = uuid.uuid4().hex
    fields = {
        "csrf_token": user.csrf,
        "title": "Killed upload",
        "kind": "report",
        "language": "en",
        "visibility": "group",
    }
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    tail = f"\r\n--{boundary}--\r\n"
    length = len(head.encode()) + total + len(tail)
    cookies = "; ".join(f"{c.name}={c.value}" for c in user.http.cookies)
    port = int(user.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            (
                f"POST /groups/{slug}/documents/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Cookie: {cookies}\r\nContent-Length: {length}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n"
            ).encode()
            + head.encode()
        )
        sent, chunk = 0, b"x" * (256 * 1024)
        while sent < kill_after:
            sock.sendall(chunk)
            sent += len(chunk)
            time.sleep(0.01)
        kill()


def _store_state(env: dict) -> tuple[list[str], list[str]]:
    root = Path(env["KONSEY_FILES_PATH"])
    blobs = sorted(p.name for p in root.glob("??/??/*"))
    staged = sorted(p.name for p in (root / ".staging").glob("*"))
    return blobs, staged


@needs_postgres
def test_web_process_killed_during_an_upload(live, tmp_path):
    env, engine, _name = live
    server = Gunicorn(env, workers=1, threads=2).start()
    slug = soak.world_of(engine)["groups"]["head.kz@kz.example.org"][0]
    documents = _count(engine, "SELECT count(*) FROM document")
    rows_before = _count(engine, "SELECT count(*) FROM stored_file")
    try:
        user = WebUser(server.url, "head.kz@kz.example.org").login()
        _slow_upload(user, slug, 40 * 1024 * 1024, 12 * 1024 * 1024, server.kill)
    finally:
        server.stop()
    server = Gunicorn(env, workers=1, threads=2).start()
    try:
        assert _count(engine, "SELECT count(*) FROM document") == documents
        assert _count(engine, "SELECT count(*) FROM stored_file") == rows_before
        blobs_before, _ = _store_state(env)
        cleanup = soak.flask(env, "konsey", "cleanup", "--grace-minutes", "0", "--apply")
        assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
        assert "0 missing file(s)" in cleanup.stdout
        blobs, staged = _store_state(env)
        assert staged == []
        assert blobs == blobs_before  # every file still belongs to a document
        with engine.connect() as conn:
            rows = set(conn.scalars(sa.text("SELECT sha256 FROM stored_file")))
        assert set(blobs) == rows
        # The restarted server takes uploads again.
        user = WebUser(server.url, "head.kz@kz.example.org").login()
        response = user.http.post(
            f"{server.url}/groups/{slug}/documents/upload",
            data={"csrf_token": user.csrf, "kind": "report", "language": "en"}
            | {"visibility": "group", "title": "After the crash"},
            files={"file": ("after.pdf", _pdf(2048), "application/pdf")},
            allow_redirects=False,
        )
        assert response.status_code == 302
        assert _count(engine, "SELECT count(*) FROM document") == documents + 1
    finally:
        server.stop()


KILLED_UPLOAD = """
import io, os, signal, sys
import sqlalchemy as sa
from konsey import audit, create_app
from konsey.documents import samples, services
from konsey.extensions import db
from konsey.models import WorkingGroup

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

app = create_app()
with app.app_context():
    if sys.argv[1] == "before-commit":
        db.session.commit = die   # the file is in the store, its row is not
    else:
        services.files.sniff = die  # the file is staged, nothing more
    group = db.session.scalars(sa.select(WorkingGroup).order_by(WorkingGroup.id)).first()
    services.create_documents(
        audit.Actor(user=None, ip="test"), group,
        [services.Upload(io.BytesIO(samples.make_pdf([sys.argv[2]])), "killed.pdf")],
        title=sys.argv[2], kind="report", language="en", visibility="group",
    )
"""


def _killed_upload(app, files_dir: Path, point: str, title: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "KONSEY_FILES_PATH": str(files_dir),
        "KONSEY_INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
    }
    done = subprocess.run(
        [sys.executable, "-c", KILLED_UPLOAD, point, title], env=env, capture_output=True
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def _cleanup(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["konsey", "cleanup", *args])


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_cleanup_removes_what_killed_uploads_leave_and_nothing_else(app, world, files_dir):
    db.session.commit()
    before = counts()
    kept = stored(files_dir)
    _killed_upload(app, files_dir, "before-commit", "Killed after storing")
    _killed_upload(app, files_dir, "staged", "Killed after staging")
    assert counts() == before  # no row of either
    leftovers = [p for p in stored(files_dir) if p not in kept]
    assert len(leftovers) == 2
    orphan = next(p for p in leftovers if ".staging" not in p.parts)
    temporary = next(p for p in leftovers if ".staging" in p.parts)

    # Younger than the grace period: perhaps an upload in progress, left alone.
    result = _cleanup(app, "--apply")
    assert result.exit_code == 0, result.output
    assert "0 leftover file(s), 0 removed" in result.output
    for path in leftovers:
        _age(path, 2 * 3600)

    result = _cleanup(app)  # a dry run by default
    assert f"stored file no document uses would be removed (run with --apply): {orphan.name}" in (
        result.output
    )
    assert f"temporary upload file would be removed (run with --apply): {temporary}" in (
        result.output
    )
    assert "2 leftover file(s), 0 removed" in result.output
    assert all(p.exists() for p in leftovers)

    result = _cleanup(app, "--apply")
    assert result.exit_code == 0, result.output
    assert "2 leftover file(s), 2 removed; 0 missing file(s)" in result.output
    assert stored(files_dir) == kept
    assert counts() == before


def test_cleanup_reports_documents_whose_file_is_missing(app, world, files_dir):
    db.session.commit()
    sha = db.session.scalars(sa.select(StoredFile.sha256)).first()
    path = files_dir / sha[:2] / sha[2:4] / sha
    path.unlink()
    others = stored(files_dir)
    result = _cleanup(app, "--apply", "--grace-minutes", "0")
    assert result.exit_code == 1
    assert f"MISSING stored file {sha}" in result.output
    assert "restore it from a backup" in result.output
    assert stored(files_dir) == others
    assert db.session.get(StoredFile, sha) is not None  # reported, never deleted


def test_cleanup_never_removes_a_file_an_upload_is_committing(app, world, files_dir):
    """An upload of content whose file lingers from an earlier crash: its row is
    inserted but not yet committed when the cleanup looks. The cleanup waits for
    it and keeps the file."""
    db.session.commit()
    content = b"lingering content\n"
    sha = hashlib.sha256(content).hexdigest()
    path = files_dir / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    _age(path, 2 * 3600)
    with app.app_context():
        engine = db.engine
    results = []
    with engine.connect() as upload:
        transaction = upload.begin()
        upload.execute(
            sa.insert(StoredFile).values(sha256=sha, size=len(content), created_at=sa.func.now())
        )
        cleaner = threading.Thread(target=lambda: results.append(_cleanup(app, "--apply")))
        cleaner.start()
        time.sleep(1)
        transaction.commit()
        cleaner.join(30)
    assert results and results[0].exit_code == 0, results and results[0].output
    assert path.exists()
    assert "0 removed" in results[0].output
    db.session.execute(sa.delete(StoredFile).where(StoredFile.sha256 == sha))
    db.session.commit()
