"""Benchmarks are files named bench_*.py (so that `make test` never runs them).

``dataset``: a PostgreSQL database of its own (``konsey_bench_<pid>``, dropped
at the end) filled by ``flask konsey generate --scale $BENCH_SCALE`` with full
per-group sizes, plus one small generated group, and the environment to serve
it with.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.benchmarks import support

PASSWORD = "bench-password-2026"


def pytest_collect_file(parent, file_path):
    # A file named on the command line is collected by pytest itself.
    if parent.session.isinitpath(file_path):
        return None
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


@dataclass
class Dataset:
    url: str  # SQLAlchemy URL (psycopg 3)
    env: dict  # for subprocesses: flask, gunicorn
    instance: Path
    generate_output: str


def _flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(support.BIN / "flask"), "--app", "wsgi", *args],
        cwd=support.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)}: {result.stderr[-3000:]}")
    return result.stdout


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Dataset:
    from tests.conftest import PG_ADMIN_URL

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"konsey_bench_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"the page benchmarks need PostgreSQL on 127.0.0.1:5432 ({exc})")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    instance = tmp_path_factory.mktemp("bench-instance")
    env = {
        **os.environ,
        "KONSEY_ENV": "production",
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "DATABASE_URL": url,
        "REDIS_URL": support.REDIS_URL,
        "KONSEY_INSTANCE_PATH": str(instance),
        "KONSEY_DEMO_PASSWORD": PASSWORD,
        "KONSEY_MAIL_DELIVERY": "worker",
    }
    try:
        _flask(env, "db", "upgrade")
        output = _flask(env, "konsey", "generate", "--scale", str(support.SCALE))
        print(f"\ngenerate --scale {support.SCALE}:\n{output}")
        # A small group of the same shape, for "queries do not grow with data".
        _flask(
            env,
            *("konsey", "generate", "--scale", "1", "--prefix", "small", "--users", "100"),
            *("--meetings-per-group", "5", "--agenda-items", "2"),
            *("--documents-per-group", "10", "--actions-per-group", "10"),
        )
        yield Dataset(url, env, instance, output)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
