"""Test fixtures: a real database (PostgreSQL when it answers, else SQLite),
the app built by the factory, clients that log in as each role, factories.

In CI (``CI=true``) PostgreSQL and Redis must answer; their absence fails
the run instead of quietly testing less.
"""

from __future__ import annotations

import contextvars
import os
import re
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# One database per test run, so runs side by side (two checkouts, a CI run
# and a developer) never drop each other's tables.
PG_TEST_DB = os.environ.get("KONSEY_TEST_DB", f"konsey_test_{os.getpid()}")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _postgres_url() -> str | None:
    if os.environ.get("KONSEY_TEST_BACKEND") == "sqlite":
        return None
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    if not _port_open("127.0.0.1", 5432):
        return None
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_TEST_DB}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{PG_TEST_DB}"'))
            # A throw-away database: no need to wait for each commit's fsync.
            conn.execute(sa.text(f'ALTER DATABASE "{PG_TEST_DB}" SET synchronous_commit = off'))
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_TEST_DB


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    return "redis://127.0.0.1:6379/15" if _port_open("127.0.0.1", 6379) else None


DATABASE_URL = _postgres_url()
REDIS_URL = _redis_url()
BACKEND = "postgresql" if DATABASE_URL else "sqlite"


def pytest_report_header(config):
    return [
        f"konsey database backend: {BACKEND}"
        + (f" ({DATABASE_URL})" if DATABASE_URL else " (embedded default)"),
        f"konsey redis: {REDIS_URL or 'not available'}",
    ]


def _compile_catalogs() -> None:
    """Compile the .po catalogs when a .mo is missing or older (as `make` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1] / "platform" / "konsey" / "translations"
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as dst:
                write_mo(dst, catalog, use_fuzzy=True)


def pytest_sessionstart(session):
    _compile_catalogs()
    if IN_CI and (DATABASE_URL is None or REDIS_URL is None):
        raise pytest.UsageError(
            "CI=true but PostgreSQL or Redis is not reachable: "
            f"database={DATABASE_URL!r} redis={REDIS_URL!r}"
        )


def pytest_sessionfinish(session, exitstatus):
    """Drop this run's own database (not one named by the environment)."""
    own = "KONSEY_TEST_DB" not in os.environ and not os.environ.get("TEST_DATABASE_URL")
    if DATABASE_URL and own and not os.environ.get("DATABASE_URL"):
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)'))
        finally:
            engine.dispose()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"konsey: tests ran on {BACKEND}; redis {'used' if REDIS_URL else 'not available'}"
    )


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


class IsolatedFlaskClient:
    """Mixin: every request runs in a fresh context, as in a real server.

    Without it a request would reuse the app context that the test body holds
    (and its ``g`` and database session), hiding bugs a real server shows.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(instance_dir):
    os.environ["KONSEY_INSTANCE_PATH"] = str(instance_dir)
    from flask_migrate import upgrade

    from konsey import create_app
    from konsey.extensions import db

    database_url = DATABASE_URL or f"sqlite:///{instance_dir / 'test.sqlite3'}"
    app = create_app(
        {
            "KONSEY_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_FOLDER": str(instance_dir / "mail"),
            # The web process delivers right away; worker tests switch to Celery.
            "MAIL_DELIVERY": "inline",
            "REDIS_URL": None,
            "SERVER_NAME": "konsey.test",
            "BASE_URL": "http://konsey.test",
        }
    )
    from flask.testing import FlaskClient

    app.test_client_class = type("TestClient", (IsolatedFlaskClient, FlaskClient), {})
    with app.app_context():
        if DATABASE_URL:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()  # the schema comes from the migrations, as in production
    yield app


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from konsey.extensions import db

    for mail in Path(app.config["MAIL_FOLDER"]).glob("*.eml"):
        mail.unlink()
    with app.app_context():
        db.session.remove()
        from konsey.models.documents import SEARCH_INDEX_TABLE

        # The search index is not in the metadata, and SQLite's FTS5 table has no
        # foreign key that would empty it with the documents.
        tables = [SEARCH_INDEX_TABLE] + [t.name for t in reversed(db.metadata.sorted_tables)]
        # DELETE is quicker than TRUNCATE on PostgreSQL for a few rows.
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def ctx(app):
    """An app context for the test body (factories, direct queries)."""
    with app.app_context():
        yield app


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


CONFIRM_RE = re.compile(r'<input type="hidden" name="confirm" value="([^"]+)">')


class Client:
    """A test client that behaves like a browser: it reads CSRF tokens from pages."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self._csrf: str | None = None

    def get(self, url, **kw):
        response = self.http.get(url, **kw)
        self._remember_csrf(response)
        return response

    def _remember_csrf(self, response):
        if response.mimetype == "text/html":
            match = CSRF_RE.search(response.get_data(as_text=True))
            if match:
                self._csrf = match.group(1)

    def csrf(self) -> str:
        if self._csrf is None:
            self.get("/login")
        if self._csrf is None:
            self.get("/account")
        return self._csrf

    def post(self, url, data=None, *, csrf=True, **kw):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf()
        response = self.http.post(url, data=data, **kw)
        self._remember_csrf(response)
        return response

    def post_confirmed(self, url, data=None, **kw):
        """Post an irreversible step as a browser without JavaScript does:
        the first answer is the confirmation page (konsey/confirm.py), whose
        form is sent back with its token. An answer that is not the
        confirmation page (a refusal) is returned as it is."""
        first = self.post(url, data, **kw)
        match = CONFIRM_RE.search(first.get_data(as_text=True))
        if first.status_code != 200 or match is None:
            return first
        return self.post(url, {**dict(data or {}), "confirm": match.group(1)}, **kw)

    def login(self, email, password=factories.PASSWORD, remember=False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        response = self.post("/login", data)
        self._csrf = None  # a new session gets a new token
        return response

    def logout(self):
        response = self.post("/logout")
        self._csrf = None  # logging out ends the session and its token
        return response


@pytest.fixture
def client(app) -> Client:
    return Client(app)


@pytest.fixture
def make_client(app):
    return lambda: Client(app)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside the ``with`` block."""
    from konsey.extensions import db

    @contextmanager
    def counter():
        statements: list[str] = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)

    return counter


@pytest.fixture
def demo(ctx):
    """The founding case's demo data."""
    from konsey.demo import load_demo

    ctx.config["DEMO_PASSWORD"] = factories.PASSWORD
    load_demo()
    return ctx
