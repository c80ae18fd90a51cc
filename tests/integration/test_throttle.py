"""Login throttling per account and per IP address, on both counter stores:
the database (embedded default) and Redis (production)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
import redis
from freezegun import freeze_time
from sqlalchemy import select

from konsey.auth import throttle
from konsey.extensions import db
from konsey.models import AuditEvent, LoginThrottle
from konsey.models.base import utcnow
from tests import factories as f
from tests.conftest import IN_CI, REDIS_URL

# Redis db 10 is this test module's own; keys carry a per-run prefix and only
# those keys are deleted.
REDIS_TEST_URL = "redis://127.0.0.1:6379/10"
PREFIX = f"konsey-test-throttle-{os.getpid()}:"
THROTTLED = "Too many failed attempts; try again in 15 minutes."
WRONG = "not the right password"


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def store(request, app, monkeypatch):
    if request.param == "redis":
        if REDIS_URL is None and not IN_CI:
            pytest.skip("Redis is not available")
        client = redis.Redis.from_url(REDIS_TEST_URL)
        monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
        monkeypatch.setitem(app.config, "LOGIN_THROTTLE_REDIS_PREFIX", PREFIX)
        yield client
        keys = list(client.scan_iter(match=PREFIX + "*"))
        if keys:
            client.delete(*keys)
        return
    yield None


@pytest.fixture
def alice(ctx):
    return f.make_user("alice@kz.example.org", state=f.make_state("KZ"))


@pytest.fixture
def bob(ctx):
    return f.make_user("bob@kz.example.org", state=f.make_state("KZ"))


def _login(client, email, password=f.PASSWORD, ip="10.0.0.1"):
    data = {"email": email, "password": password, "csrf_token": client.csrf()}
    response = client.http.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})
    client._csrf = None
    return response


def _fail(client, email, times, ip="10.0.0.1"):
    for _ in range(times):
        assert _login(client, email, WRONG, ip).status_code == 401


def test_defaults_lock_an_account_long_before_an_address(app):
    assert app.config["LOGIN_THROTTLE_ACCOUNT_MAX"] == 10
    assert app.config["LOGIN_THROTTLE_WINDOW"] == app.config["LOGIN_THROTTLE_LOCKOUT"] == 900
    assert app.config["LOGIN_THROTTLE_IP_MAX"] >= 10 * app.config["LOGIN_THROTTLE_ACCOUNT_MAX"]


def test_the_right_password_is_refused_while_the_account_is_throttled(
    store, make_client, alice, ctx
):
    client = make_client()
    _fail(client, alice.email, 9)
    # Nine failures: the tenth attempt still decides on the password.
    assert _login(client, alice.email).status_code == 302
    client = make_client()
    _fail(client, alice.email, 10)
    response = _login(client, alice.email)
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert client.get("/groups").status_code == 302  # not logged in
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.login_throttled")
    ).all()
    assert events and events[-1].object_id == str(alice.id)
    assert events[-1].details["scope"] == "account"


def test_throttling_one_account_never_blocks_another(store, make_client, alice, bob):
    client = make_client()
    _fail(client, alice.email, 10)
    assert _login(client, alice.email).status_code == 429
    # Same address, same browser, another account.
    assert _login(client, bob.email).status_code == 302


def test_switching_addresses_does_not_get_around_the_account_throttle(store, make_client, alice):
    client = make_client()
    for n in range(10):
        assert _login(client, alice.email, WRONG, ip=f"198.51.100.{n}").status_code == 401
    assert _login(make_client(), alice.email, ip="203.0.113.77").status_code == 429


def test_unknown_accounts_are_throttled_alike(store, make_client, ctx):
    """No difference that would tell which addresses have accounts."""
    client = make_client()
    _fail(client, "nobody@kz.example.org", 10)
    assert _login(client, "nobody@kz.example.org", WRONG).status_code == 429


def test_an_address_is_throttled_at_its_own_higher_limit(
    store, make_client, app, alice, bob, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_IP_MAX", 5)
    client = make_client()
    for n in range(5):
        # Many accounts, each below its own limit.
        assert _login(client, f"guess{n}@kz.example.org", WRONG).status_code == 401
    response = _login(client, alice.email)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    # The same accounts from another address are fine.
    assert _login(make_client(), bob.email, ip="10.0.0.2").status_code == 302


def test_a_successful_login_starts_the_account_count_again(store, make_client, alice):
    client = make_client()
    _fail(client, alice.email, 9)
    assert _login(client, alice.email).status_code == 302
    client = make_client()
    _fail(client, alice.email, 9)
    assert _login(client, alice.email).status_code == 302


def test_database_counters_expire_with_the_window_and_the_lock(app, make_client, alice, ctx):
    with freeze_time(utcnow()) as clock:
        client = make_client()
        _fail(client, alice.email, 9)
        clock.tick(timedelta(minutes=15, seconds=1))
        # The window has passed: nine more failures do not lock the account.
        _fail(client, alice.email, 9)
        assert _login(client, alice.email).status_code == 302
        client = make_client()
        _fail(client, alice.email, 10)
        clock.tick(timedelta(minutes=14))
        assert _login(client, alice.email).status_code == 429
        assert "try again in 1 minute." in _login(client, alice.email).get_data(as_text=True)
        clock.tick(timedelta(minutes=1, seconds=1))
        assert _login(client, alice.email).status_code == 302
    rows = db.session.scalars(select(LoginThrottle)).all()
    assert all(r.locked_until is None or r.locked_until < utcnow() for r in rows)


@pytest.mark.parametrize("store", [pytest.param("redis", marks=pytest.mark.redis)], indirect=True)
def test_redis_counters_expire(store, app, make_client, alice, monkeypatch):
    _fail(make_client(), alice.email, 10)
    locks = list(store.scan_iter(match=PREFIX + "lock:account:*"))
    assert len(locks) == 1
    assert 890 <= store.ttl(locks[0]) <= 900  # the lock ends by itself
    store.delete(*locks)
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_LOCKOUT", 1)
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_WINDOW", 60)
    client = make_client()
    _fail(client, alice.email, 10)
    assert _login(client, alice.email).status_code == 429
    time.sleep(1.2)
    assert _login(client, alice.email).status_code == 302
    # The counters' window expires too (Redis deletes the key).
    _fail(make_client(), alice.email, 1)
    counters = list(store.scan_iter(match=PREFIX + "fail:account:*"))
    assert counters and 0 < store.ttl(counters[0]) <= 60


def test_a_redis_outage_falls_back_to_the_database(app, make_client, alice, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/10")
    client = make_client()
    _fail(client, alice.email, 10)
    assert _login(client, alice.email).status_code == 429
    assert db.session.scalar(select(LoginThrottle).where(LoginThrottle.key.like("account:%")))


def test_the_message_counts_minutes_in_the_plural_rule(app):
    with app.test_request_context():
        assert throttle.Throttled(61, "account").message.endswith("in 2 minutes.")
        assert throttle.Throttled(30, "account").message.endswith("in 1 minute.")
