"""Logging in and out, remember me, password reset and account set-up links."""

from __future__ import annotations

import re
import statistics
import time
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import itsdangerous.timed
import pytest
from sqlalchemy import func, select

from konsey.extensions import db
from konsey.models import AuditEvent, OutboxMessage, User
from tests import factories as f

LOGIN_FAILED = "Wrong email or password, or the account is not active."


@pytest.fixture
def alice(ctx):
    return f.make_user("alice@kz.example.org", state=f.make_state("KZ"), name="Alice")


def _mail_to(app, address: str) -> list:
    folder = Path(app.config["MAIL_FOLDER"])
    found = []
    for path in sorted(folder.glob("*.eml")):
        msg = message_from_bytes(path.read_bytes(), policy=default_policy)
        if msg["To"] == address:
            found.append(msg)
    return found


def _link(msg, path_part: str) -> str:
    text = msg.get_body(("plain",)).get_content()
    match = re.search(r"http://konsey\.test(" + re.escape(path_part) + r"/\S+)", text)
    assert match, text
    return match.group(1)


def test_login_form_uses_the_documented_field_names(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page
    assert 'name="password"' in page
    assert 'name="csrf_token"' in page
    assert 'name="remember"' in page


def test_login_then_logout(client, alice):
    response = client.login("Alice@KZ.example.org")  # email is case-insensitive
    assert response.status_code == 302
    assert client.get("/groups").status_code == 200
    assert client.logout().status_code == 302
    assert client.get("/groups").status_code == 302


def test_login_redirects_only_to_local_pages(client, alice):
    client.get("/login")
    r = client.post(
        "/login?next=https://evil.example/x", {"email": alice.email, "password": f.PASSWORD}
    )
    assert r.headers["Location"] == "/"  # the home page: what needs me
    client.logout()
    client.get("/login")
    r = client.post("/login?next=/account", {"email": alice.email, "password": f.PASSWORD})
    assert r.headers["Location"] == "/account"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("alice@kz.example.org", "wrong password here"),
        ("nobody@kz.example.org", f.PASSWORD),
        ("", ""),
        ("x" * 300, "y" * 2000),
    ],
)
def test_failed_login_says_the_same_thing(client, alice, email, password):
    response = client.login(email, password)
    assert 400 <= response.status_code < 500
    assert client.get("/groups").status_code == 302  # still not logged in
    if email and len(email) < 254:
        assert LOGIN_FAILED in response.get_data(as_text=True)


def test_wrong_password_and_unknown_email_take_the_same_time(client, alice):
    """Both run argon2: an unknown email must not answer faster."""

    def median(email):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            client.login(email, "not the password at all")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    known, unknown = median(alice.email), median("nobody@kz.example.org")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_inactive_account_cannot_log_in(client, alice, ctx):
    alice.is_active_account = False
    db.session.commit()
    response = client.login(alice.email)
    assert response.status_code == 401
    assert LOGIN_FAILED in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, alice):
    response = client.post("/login", {"email": alice.email, "password": f.PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert client.get("/groups").status_code == 302


def test_logins_and_failures_are_audited(client, alice, ctx):
    client.login(alice.email, "wrong password here")
    client.login(alice.email)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(alice.id))
    ).all()
    assert "user.login_failed" in actions
    assert "user.login" in actions
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert event.ip == "127.0.0.1"
    assert event.actor_id == alice.id


def test_remember_me_keeps_the_user_logged_in_after_the_session_cookie_is_gone(client, alice):
    client.login(alice.email, remember=True)
    cookies = {c.key: c for c in client.http._cookies.values()}
    assert "remember_token" in cookies
    client.http.delete_cookie("session", domain="localhost")
    assert client.get("/groups").status_code == 200


def test_without_remember_me_no_remember_cookie(client, alice):
    client.login(alice.email)
    assert "remember_token" not in {c.key for c in client.http._cookies.values()}


def _request_reset(client, email):
    client.get("/password/forgot")
    return client.post("/password/forgot", {"email": email})


def test_password_reset_by_emailed_link(app, client, make_client, alice, ctx):
    response = _request_reset(client, "ALICE@kz.example.org")
    assert response.status_code == 302
    [msg] = _mail_to(app, alice.email)
    assert "reset" in msg["Subject"].lower()
    link = _link(msg, "/password/reset")

    page = client.get(link)
    assert page.status_code == 200
    new_password = "a brand new passphrase"
    r = client.post(link, {"password": new_password, "confirm": new_password})
    assert r.status_code == 302

    fresh = make_client()
    assert fresh.login(alice.email, f.PASSWORD).status_code == 401
    assert fresh.login(alice.email, new_password).status_code == 302

    # The link works once.
    again = make_client().get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(app, client, ctx):
    response = _request_reset(client, "nobody@example.org")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_expired_reset_link_is_refused(app, client, alice, ctx, monkeypatch):
    from konsey.auth import links

    real_time = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 3 * 3600)
    with app.test_request_context():
        token = links.make_token(alice, "reset")
    monkeypatch.setattr(itsdangerous.timed.time, "time", real_time)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    r = client.post(f"/password/reset/{token}", {"password": "x" * 20, "confirm": "x" * 20})
    assert r.status_code == 400
    db.session.refresh(alice)
    assert alice.password_hash == f._password_hash()


@pytest.mark.parametrize("token", ["garbage", "a" * 500, "..", "%00"])
def test_tampered_link_is_refused(client, token):
    response = client.get(f"/password/reset/{token}")
    assert response.status_code in (400, 404)


def test_reset_link_with_short_password_changes_nothing(app, client, alice, ctx):
    _request_reset(client, alice.email)
    [msg] = _mail_to(app, alice.email)
    link = _link(msg, "/password/reset")
    client.get(link)
    r = client.post(link, {"password": "short", "confirm": "short"})
    assert r.status_code == 422
    assert "at least 12 characters" in r.get_data(as_text=True)
    db.session.refresh(alice)
    assert alice.password_hash == f._password_hash()
    # Still usable afterwards.
    ok = client.post(
        link, {"password": "long enough passphrase", "confirm": "long enough passphrase"}
    )
    assert ok.status_code == 302


def test_first_time_setup_link(app, client, make_client, ctx):
    from konsey import audit
    from konsey.auth.services import send_invitation

    bob = f.make_user("bob@tr.example.org", password=False, name="Bob")
    with app.test_request_context():
        send_invitation(audit.SYSTEM, bob)
        db.session.commit()
        from konsey.mail.delivery import deliver_pending

        deliver_pending()
    [msg] = _mail_to(app, "bob@tr.example.org")
    link = _link(msg, "/account/setup")
    assert client.login("bob@tr.example.org", "").status_code == 400
    client.get(link)
    r = client.post(link, {"password": "bob's own passphrase", "confirm": "bob's own passphrase"})
    assert r.status_code == 302
    assert make_client().login("bob@tr.example.org", "bob's own passphrase").status_code == 302
    assert make_client().get(link).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, bob.id).has_password
