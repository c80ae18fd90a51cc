"""Pages under load, against the ceiling of the stack, and their SQL queries.

    make bench PYTEST_ARGS="-k pages"
    BENCH_SCALE=20 BENCH_DURATION=60 make bench PYTEST_ARGS="-k pages"

Serves the app with gunicorn as in production (one gthread worker per CPU, 4
threads each; BENCH_WORKER_CLASS=sync for sync workers) on
PostgreSQL and Redis, over a generated dataset (``dataset`` in conftest.py),
and loads each page with wrk as the head of a member state's delegation
(logged in once with a real POST /login; wrk sends the session cookie). A
bare Flask "hello world" (hello_app.py) under the same gunicorn settings is
the ceiling. Then counts the SQL queries of each page on the small generated
group and on a large one, in-process.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from tests.benchmarks import support
from tests.benchmarks.conftest import PASSWORD

# The targets.
MIN_RATIO = {"dashboard", "meetings list", "action list", "document library"}
TARGET_RATIO = 0.5
TARGET_P99_OVER_P50 = 5.0
SEARCH_WORDS = "training programme"
SERVICE_TIME_REQUESTS = 5

_results: dict[str, dict] = {}


def pages_of(url: str, prefix: str) -> tuple[str, dict[str, str]]:
    """The first generated group with ``prefix``: the head of its first delegation,
    and the address of every benchmarked page."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        group_id, slug = conn.execute(
            sa.text("SELECT id, slug FROM working_group WHERE slug LIKE :p ORDER BY slug LIMIT 1"),
            {"p": f"{prefix}-%"},
        ).one()
        email, state = conn.execute(
            sa.text(
                "SELECT u.email, s.code FROM membership m JOIN user_account u ON u.id = m.user_id"
                " JOIN member_state s ON s.id = m.member_state_id"
                " WHERE m.group_id = :g AND m.role = 'head' ORDER BY s.code LIMIT 1"
            ),
            {"g": group_id},
        ).one()
        # The latest meeting that was held: a full agenda, attendance, minutes.
        meeting = conn.scalar(
            sa.text(
                "SELECT id FROM meeting WHERE group_id = :g AND status = 'held' "
                "ORDER BY starts_at DESC LIMIT 1"
            ),
            {"g": group_id},
        )
        document = conn.scalar(
            sa.text(
                "SELECT d.id FROM document d WHERE d.group_id = :g AND d.deleted_at IS NULL"
                " AND d.visibility = 'group' ORDER BY d.created_at DESC LIMIT 1"
            ),
            {"g": group_id},
        )
    engine.dispose()
    return email, {
        "dashboard": f"/groups/{slug}",
        "meetings list": f"/groups/{slug}/meetings",
        "meeting page": f"/meetings/{meeting}",
        "document library": f"/groups/{slug}/documents",
        "action list": f"/groups/{slug}/actions?state={state}&status=open&status=in_progress",
        "my actions": "/actions/mine",
        "search": "/search?kind=document&q=" + SEARCH_WORDS.replace(" ", "+"),
        "download": f"/groups/{slug}/documents/{document}/versions/1/file",
    }


def _line(name: str, r: dict, ceiling: float | None) -> str:
    ratio = f"{r['rps'] / ceiling:6.1%} of hello" if ceiling else " (the ceiling)"
    return (
        f"{name:<18} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
        f"p99 {r['p99_ms']:7.1f} ms  {ratio}"
    )


def test_pages_under_load(dataset):
    print(
        f"\nwrk: {support.CONNECTIONS} connections, {support.DURATION} s per page; "
        f"gunicorn: {support.WORKERS} {support.WORKER_CLASS} workers"
        + (f" × {support.THREADS} threads" if support.WORKER_CLASS == "gthread" else "")
        + f"; scale {support.SCALE}"
    )
    with support.gunicorn("tests.benchmarks.hello_app:app", dataset.env) as (port, _server):
        support.get(port, "/")
        hello = support.wrk(port, "/")
    print(_line("hello world", hello, None), flush=True)
    email, pages = pages_of(dataset.url, "wg")
    results = {"hello world": hello}
    with support.gunicorn("wsgi:app", dataset.env) as (port, _server):
        cookie = support.login(port, email, PASSWORD)
        for name, path in pages.items():
            status, body = support.get(port, path, cookie)
            assert status == 200, f"{name}: {path} answered {status}"
            assert b'name="password"' not in body, f"{name}: not logged in"
            # A first round per worker: imports, templates, connections.
            for _ in range(2 * support.WORKERS):
                support.get(port, path, cookie)
            r = support.wrk(port, path, cookie)
            r["path"] = path
            r["ratio"] = r["rps"] / hello["rps"]
            r["p99_over_p50"] = r["p99_ms"] / r["p50_ms"] if r["p50_ms"] else 0.0
            results[name] = r
            print(_line(name, r, hello["rps"]), flush=True)
            assert r["non_2xx"] == 0, f"{name}: {r['non_2xx']} answers were not 2xx/3xx"
    _results.update(results)
    support.record(
        "pages",
        {
            "settings": {
                "scale": support.SCALE,
                "connections": support.CONNECTIONS,
                "duration_s": support.DURATION,
                "gunicorn_workers": support.WORKERS,
                "worker_class": support.WORKER_CLASS,
                "threads": support.THREADS if support.WORKER_CLASS == "gthread" else 1,
                "user": "head of delegation",
            },
            "results": results,
        },
    )


def test_queries_do_not_grow_with_data(dataset):
    """Each page's SQL statements, on the small group and on a large one."""
    from tests.conftest import Client

    app = _local_app(dataset)
    counts, service_ms = {}, {}
    for prefix in ("small", "wg"):
        email, pages = pages_of(dataset.url, prefix)
        client = Client(app)
        assert client.login(email, PASSWORD).status_code == 302
        for name, path in pages.items():
            client.get(path)  # once first: per-process work is not per-request work
            with _counting(app) as statements:
                response = client.get(path)
            assert response.status_code == 200, f"{name}: {path} answered {response.status_code}"
            counts.setdefault(name, {})[prefix] = len(statements)
            # One request at a time, in-process: the work a request costs.
            start = time.perf_counter()
            for _ in range(SERVICE_TIME_REQUESTS):
                client.get(path)
            elapsed = (time.perf_counter() - start) / SERVICE_TIME_REQUESTS * 1000
            service_ms.setdefault(name, {})[prefix] = round(elapsed, 1)
    print()
    for name, c in counts.items():
        ms = service_ms[name]
        print(
            f"{name:<18} queries: small group {c['small']:3}  large group {c['wg']:3}   "
            f"one request alone: {ms['small']:6.1f} ms / {ms['wg']:6.1f} ms"
        )
    support.record(
        "queries",
        {"small": "1 group, 10 documents, 10 actions", "counts": counts, "service_ms": service_ms},
    )
    assert all(c["small"] == c["wg"] for c in counts.values()), counts


def test_targets():
    """The issue's targets, judged on the figures printed above."""
    if not _results:
        import pytest

        pytest.skip("no page figures (the load test did not run)")
    misses = []
    for name, r in _results.items():
        if name in MIN_RATIO and r["ratio"] < TARGET_RATIO:
            misses.append(f"{name}: {r['ratio']:.0%} of hello world (target ≥ 50 %)")
        if name != "hello world" and r["p99_over_p50"] > TARGET_P99_OVER_P50:
            misses.append(f"{name}: p99 = {r['p99_over_p50']:.1f} × p50 (target ≤ 5)")
    assert not misses, "\n".join(misses)


def _local_app(dataset):
    from konsey import create_app

    return create_app(
        {
            "KONSEY_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": dataset.url,
            "REDIS_URL": support.REDIS_URL,
            "INSTANCE_PATH": str(dataset.instance),
            "FILES_PATH": str(dataset.instance / "files"),
            "MAIL_DELIVERY": "worker",
        }
    )


class _counting:
    def __init__(self, app):
        from konsey.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def _listen(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        return self.statements

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._listen)
