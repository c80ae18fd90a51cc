"""The database half of a backup: one consistent snapshot out, and back in.

PostgreSQL: ``pg_dump`` in custom format, reading a snapshot exported by our
own transaction (in which the list of files is read too); restored through
``pg_restore | psql --single-transaction``. SQLite: the online backup API.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from konsey.errors import ServiceError
from konsey.extensions import db

PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"


class BackupError(ServiceError):
    code = "backup_error"


@dataclass
class Snapshot:
    revision: str | None
    tables: dict[str, int]
    hashes: list[str] = field(default_factory=list)


def backend() -> str:
    name = db.engine.dialect.name
    if name not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {name}.")
    return name


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _count_tables(conn, names) -> dict[str, int]:
    # Table names come from the database's own catalogue, quoted.
    sql = "SELECT count(*) FROM {}"
    return {n: conn.scalar(sa.text(sql.format(_quote(conn, n)))) for n in names}


def _read_snapshot(conn, names) -> Snapshot:
    revision = None
    if "alembic_version" in names:
        revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    hashes = []
    if "stored_file" in names:
        hashes = list(conn.scalars(sa.text("SELECT sha256 FROM stored_file ORDER BY sha256")))
    return Snapshot(revision, _count_tables(conn, names), hashes)


# PostgreSQL -----------------------------------------------------------------------
def _pg_tables(conn) -> list[str]:
    return sorted(
        conn.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    )


def _pg_command(tool: str, url: sa.URL) -> tuple[list[str], dict]:
    """The libpq connection for a client tool, the password in its environment."""
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed; install the PostgreSQL client tools "
            "(Debian/Ubuntu: apt-get install postgresql-client), the same major version "
            "as the server or newer."
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None)
    return [tool, "--dbname", libpq.render_as_string(hide_password=False)], env


def _run(command: list[str], env: dict, **kw) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, **kw)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(out: Path) -> Snapshot:
    # pg_dump reads the very snapshot exported here, and the list of files is
    # read in it too: the dump and the files copied afterwards match exactly.
    engine = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn, conn.begin():
        snapshot_id = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
        snapshot = _read_snapshot(conn, _pg_tables(conn))
        command, env = _pg_command("pg_dump", db.engine.url)
        _run([*command, "--format=custom", f"--snapshot={snapshot_id}", "-f", str(out)], env)
    return snapshot


def _pg_restore(dump: Path) -> None:
    # The target holds no data (checked), at most an empty schema from
    # `flask db upgrade`: replace the schema and load the dump in ONE
    # transaction, so a failure leaves the database as it was.
    db.session.remove()
    db.engine.dispose()
    restore, env = _pg_command("pg_restore", db.engine.url)
    psql, _ = _pg_command("psql", db.engine.url)
    sql = subprocess.Popen(  # noqa: S603 - our own tool and arguments
        [restore[0], "--no-owner", "--no-acl", "-f", "-", str(dump)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        load = [*psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        load += ["-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;", "-f", "-"]
        _run(load, env, stdin=sql.stdout)
    finally:
        sql.stdout.close()
        if sql.wait() != 0:
            raise BackupError(f"pg_restore failed: {sql.stderr.read().decode()[-2000:]}")


def _pg_wipe() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))


# SQLite ---------------------------------------------------------------------------
def _sqlite_path() -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute(
        sa.text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    )
    return sorted(r[0] for r in rows)


def _sqlite_copy(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even while others write."""
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _sqlite_dump(out: Path) -> Snapshot:
    _sqlite_copy(_sqlite_path(), out)
    engine = sa.create_engine(f"sqlite:///{out}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return _read_snapshot(conn, _sqlite_tables(conn))
    finally:
        engine.dispose()


def _sqlite_restore(copy: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    _sqlite_copy(copy, _sqlite_path())


def _sqlite_wipe() -> None:
    db.session.remove()
    db.engine.dispose()
    with (
        contextlib.closing(sqlite3.connect(":memory:")) as empty,
        contextlib.closing(sqlite3.connect(_sqlite_path())) as dst,
    ):
        empty.backup(dst)


DUMP = {"postgresql": (PG_DUMP_FILE, _pg_dump), "sqlite": (SQLITE_FILE, _sqlite_dump)}
RESTORE = {"postgresql": (_pg_restore, _pg_wipe), "sqlite": (_sqlite_restore, _sqlite_wipe)}


def current_tables() -> dict[str, int]:
    """Row counts of every table of the configured database."""
    db.session.remove()
    with db.engine.connect() as conn:
        names = _pg_tables(conn) if backend() == "postgresql" else _sqlite_tables(conn)
        return _count_tables(conn, names)
