"""Server-side sessions: new id at login, idle and absolute lifetimes, the
sessions page, and log-outs that end sessions on the server."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import AuditEvent, User, UserSession
from konsey.models.base import utcnow
from tests import factories as f
from tests.integration.conftest import login_as

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def alice(ctx):
    return f.make_user("alice@kz.example.org", state=f.make_state("KZ"))


def _login(client, email, *, ua=FIREFOX, ip="10.1.1.1", remember=False):
    data = {"email": email, "password": f.PASSWORD, "csrf_token": client.csrf()}
    if remember:
        data["remember"] = "y"
    response = client.http.post(
        "/login", data=data, headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip}
    )
    client._csrf = None
    assert response.status_code == 302
    return response


def _cookie(client, name="session"):
    cookie = client.http.get_cookie(name, domain="konsey.test")
    return cookie.value if cookie else None


def _rows(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()


def _logged_in(client) -> bool:
    return client.http.get("/groups").status_code == 200


def test_login_creates_a_session_record_with_a_new_id(make_client, alice):
    client = make_client()
    with client.http.session_transaction() as session:
        session["planted"] = "by an attacker"  # session fixation attempt
    _login(client, alice.email)
    with client.http.session_transaction() as session:
        assert "planted" not in session
        user_id, _, token = session["_user_id"].partition(":")
    assert user_id == str(alice.id) and len(token) >= 43  # 32 random bytes
    (row,) = _rows(alice)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.ip, row.user_agent, row.revoked_at) == ("10.1.1.1", FIREFOX, None)
    assert row.expires_at - row.created_at == timedelta(hours=12)
    # A second login is a second session with another token.
    other = make_client()
    _login(other, alice.email)
    with other.http.session_transaction() as session:
        assert session["_user_id"] != f"{alice.id}:{token}"
    assert len(_rows(alice)) == 2


def test_logout_ends_the_session_on_the_server(make_client, alice):
    client = make_client()
    _login(client, alice.email)
    stolen = _cookie(client)
    client.logout()
    (row,) = _rows(alice)
    assert row.revoked_at is not None
    # Someone who copied the cookie before the logout gets nothing.
    thief = make_client()
    thief.http.set_cookie("session", stolen, domain="konsey.test")
    assert not _logged_in(thief)


def test_idle_timeout_and_absolute_lifetime(make_client, alice):
    with freeze_time(utcnow()) as clock:
        client = make_client()
        _login(client, alice.email)
        clock.tick(timedelta(hours=1, minutes=59))
        assert _logged_in(client)  # activity within the idle timeout
        for _ in range(5):
            clock.tick(timedelta(hours=1, minutes=50))
            assert _logged_in(client)
        clock.tick(timedelta(hours=1, minutes=50))  # 12 h 49 min after the login
        assert not _logged_in(client)

        idle = make_client()
        _login(idle, alice.email)
        clock.tick(timedelta(hours=2, minutes=1))
        assert not _logged_in(idle)


def test_remember_me_outlives_the_idle_timeout_but_not_its_own_lifetime(make_client, alice):
    with freeze_time(utcnow()) as clock:
        client = make_client()
        _login(client, alice.email, remember=True)
        client.http.delete_cookie("session", domain="konsey.test")
        clock.tick(timedelta(days=3))
        assert _logged_in(client)  # through the remember-me cookie
        clock.tick(timedelta(days=27, minutes=1))
        client.http.delete_cookie("session", domain="konsey.test")
        assert not _logged_in(client)


def test_the_remember_me_cookie_is_bound_to_a_live_session(make_client, alice):
    client = make_client()
    _login(client, alice.email, remember=True)
    remember = _cookie(client, "remember_token")
    assert remember
    other = make_client()
    _login(other, alice.email, ua=PHONE)
    other.get("/account/sessions")
    assert other.post("/account/sessions/revoke-others").status_code == 302
    thief = make_client()
    thief.http.set_cookie("remember_token", remember, domain="konsey.test")
    assert not _logged_in(thief)
    client.http.delete_cookie("session", domain="konsey.test")
    assert not _logged_in(client)
    assert _logged_in(other)


def test_sessions_page_lists_devices_and_logs_them_out(make_client, alice):
    laptop, phone = make_client(), make_client()
    _login(laptop, alice.email)
    _login(phone, alice.email, ua=PHONE, ip="192.0.2.7")
    page = laptop.get("/account/sessions").text
    assert "Firefox · Windows" in page and "Chrome · Android" in page
    assert "192.0.2.7" in page and "10.1.1.1" in page
    assert page.count("(this device)") == 1
    rows = {r.user_agent: r for r in _rows(alice)}
    assert laptop.post(f"/account/sessions/{rows[PHONE].id}/revoke").status_code == 302
    assert not _logged_in(phone)
    assert _logged_in(laptop)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.end"))
    assert event.details["session_id"] == rows[PHONE].id
    # "Log out this one" on this device logs out here.
    response = laptop.post(f"/account/sessions/{rows[FIREFOX].id}/revoke")
    assert response.headers["Location"] == "/login"
    assert not _logged_in(laptop)


def test_log_out_all_others_keeps_this_one(make_client, alice):
    clients = [make_client() for _ in range(3)]
    for client in clients:
        _login(client, alice.email)
    clients[0].get("/account/sessions")
    clients[0].post("/account/sessions/revoke-others")
    assert [_logged_in(c) for c in clients] == [True, False, False]
    assert sum(r.revoked_at is None for r in _rows(alice)) == 1


def test_someone_elses_session_is_not_found(make_client, alice, ctx):
    bob = f.make_user("bob@kz.example.org", state=f.make_state("KZ"))
    bobs = make_client()
    _login(bobs, bob.email)
    mallory = make_client()
    _login(mallory, alice.email)
    mallory.get("/account/sessions")
    (row,) = _rows(bob)
    assert mallory.post(f"/account/sessions/{row.id}/revoke").status_code == 404
    assert mallory.post("/account/sessions/99999999/revoke").status_code == 404
    assert mallory.post("/account/sessions/abc/revoke").status_code == 404
    assert _logged_in(bobs)
    # Without the CSRF token nothing happens.
    own = _rows(alice)[0]
    assert mallory.post(f"/account/sessions/{own.id}/revoke", csrf=False).status_code == 400
    assert _logged_in(mallory)


def test_password_change_ends_other_sessions_server_side(make_client, alice):
    here, there = make_client(), make_client()
    _login(here, alice.email)
    _login(there, alice.email)
    copied = _cookie(there)
    here.get("/account")
    new = "a fresh and long passphrase"
    response = here.post(
        "/account/password", {"current_password": f.PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert _logged_in(here)
    thief = make_client()
    thief.http.set_cookie("session", copied, domain="konsey.test")
    assert not _logged_in(thief)
    assert sum(r.revoked_at is None for r in _rows(alice)) == 1


def test_deactivation_ends_every_session(make_client, world):
    delegate = make_client()
    login_as(delegate, world, "delegate")
    assert _logged_in(delegate)
    admin = make_client()
    login_as(admin, world, "admin")
    user = world["users"]["delegate"]
    admin.get(f"/admin/users/{user.id}")
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert not _logged_in(delegate)
    assert all(r.revoked_at is not None for r in _rows(user))
    # Reactivated, the old session stays ended.
    assert admin.post(f"/admin/users/{user.id}/activate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active
    assert not _logged_in(delegate)


def test_last_seen_is_written_at_most_once_a_minute(make_client, alice, count_queries):
    with freeze_time(utcnow()) as clock:
        client = make_client()
        _login(client, alice.email)
        (row,) = _rows(alice)
        first = row.last_seen_at
        clock.tick(timedelta(seconds=30))
        with count_queries() as statements:
            assert _logged_in(client)
        assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
        assert _rows(alice)[0].last_seen_at == first
        clock.tick(timedelta(seconds=31))
        assert _logged_in(client)
        assert _rows(alice)[0].last_seen_at > first


def test_tampered_session_ids_are_refused(make_client, alice):
    client = make_client()
    _login(client, alice.email)
    with client.http.session_transaction() as session:
        _user_id, _, token = session["_user_id"].partition(":")
    bob = f.make_user("bob@kz.example.org")
    for value in (f"{bob.id}:{token}", f"{alice.id}:", f"{alice.id}:x", "abc", "9" * 30 + ":x"):
        with client.http.session_transaction() as session:
            session["_user_id"] = value
        assert not _logged_in(client), value


def test_sessions_ended_long_ago_are_forgotten_at_the_next_login(make_client, alice):
    with freeze_time(utcnow()) as clock:
        old = make_client()
        _login(old, alice.email)
        old.logout()
        clock.tick(timedelta(days=29))
        recent = make_client()
        _login(recent, alice.email, ua=PHONE)
        recent.logout()
        clock.tick(timedelta(days=2))
        _login(make_client(), alice.email)
    rows = _rows(alice)
    assert [(r.user_agent, r.revoked_at is None) for r in rows] == [
        (PHONE, False),  # ended two days ago: kept a while longer
        (FIREFOX, True),  # the new login
    ]
