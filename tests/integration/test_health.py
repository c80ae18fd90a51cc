"""/healthz: what a load balancer or an operator's probe sees."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import conftest


def healthz(app):
    response = app.test_client().get("/healthz")
    assert response.mimetype == "application/json", response.get_data()[:500]
    return response.status_code, response.get_json()


def assert_down(status, body, failing: str):
    assert status == 503, body
    assert body["status"] == "error", body
    assert body["checks"][failing].startswith("error"), body


def test_healthy_database(app):
    status, body = healthz(app)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_needs_no_login_and_sets_no_cookie(app):
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.redis
def test_healthy_redis(app, monkeypatch):
    if conftest.REDIS_URL is None:
        if conftest.IN_CI:
            pytest.fail("CI=true but Redis is not reachable")
        pytest.skip("no Redis server answers here")
    monkeypatch.setitem(app.config, "REDIS_URL", conftest.REDIS_URL)
    status, body = healthz(app)
    assert status == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.parametrize(
    "redis_url",
    [
        "redis://127.0.0.1:1/0",  # nothing listens there
        "127.0.0.1:6379",  # a common slip: no scheme
        "http://127.0.0.1:6379/0",  # not a Redis URL at all
    ],
)
def test_unreachable_or_misconfigured_redis_is_503(app, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    status, body = healthz(app)
    assert_down(status, body, "redis")
    # The database is still reported on its own.
    assert body["checks"]["database"] == "ok"


@pytest.mark.redis
def test_redis_answering_with_an_error_is_503(app, monkeypatch):
    """A real Redis that refuses the configured database number."""
    if conftest.REDIS_URL is None:
        if conftest.IN_CI:
            pytest.fail("CI=true but Redis is not reachable")
        pytest.skip("no Redis server answers here")
    wrong_db = urlsplit(conftest.REDIS_URL)._replace(path="/9999").geturl()
    monkeypatch.setitem(app.config, "REDIS_URL", wrong_db)
    status, body = healthz(app)
    assert_down(status, body, "redis")
    assert body["checks"]["database"] == "ok"


def test_health_recovers_after_redis_comes_back(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    assert healthz(app)[0] == 503
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    assert healthz(app) == (200, {"status": "ok", "checks": {"database": "ok"}})


@pytest.mark.parametrize(
    "database_uri",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/none",  # nothing listens there
        "sqlite:////nonexistent-konsey-dir/nowhere/konsey.sqlite3",  # cannot be opened
    ],
)
def test_unreachable_database_is_503_json(app, tmp_path, monkeypatch, database_uri):
    from konsey import create_app

    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path / "instance"))
    broken = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "TESTING": True,
            "REDIS_URL": None,
        }
    )
    for _ in range(2):  # a second probe must not find a broken session
        status, body = healthz(broken)
        assert_down(status, body, "database")
        assert set(body["checks"]) == {"database"}


def test_unreachable_database_and_redis_report_both(app, tmp_path, monkeypatch):
    from konsey import create_app

    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path / "instance"))
    broken = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none",
            "SECRET_KEY": "test-secret-key-not-for-production",
            "TESTING": True,
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    status, body = healthz(broken)
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["redis"].startswith("error")
