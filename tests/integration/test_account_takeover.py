"""Issue 13, items 5-8: the ways a session, an admin or a race took over an account."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pyotp
import pytest
import requests
from freezegun import freeze_time
from sqlalchemy import func, select

from konsey import audit
from konsey.auth import api_tokens
from konsey.extensions import db
from konsey.meetings import calendar
from konsey.models import ApiToken, AuditEvent, OutboxMessage, User
from konsey.models.base import utcnow
from tests import factories as f
from tests.conftest import CSRF_RE

NEW_PASSWORD = "steppe wind over almaty 2017"
LINK_RE = re.compile(r"http://konsey\.test(/(?:password/reset|account/setup)/[A-Za-z0-9._\-]+)")
SYSTEM = audit.Actor(None, "127.0.0.1")


@pytest.fixture
def alice(ctx):
    return f.make_user("alice.smith@kz.example.org", state=f.make_state("KZ"), name="Alice Smith")


@pytest.fixture
def admin(ctx):
    return f.make_user("it@secretariat.example.org", is_admin=True)


def _reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _token(user) -> str:
    _row, secret = api_tokens.create_token(SYSTEM, user, "script")
    db.session.commit()
    return secret


def _api_ok(client, secret) -> bool:
    return (
        client.http.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )


def _events(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _mails(app) -> list:
    folder = Path(app.config["MAIL_FOLDER"])
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


# Item 5: tokens ---------------------------------------------------------------------
def test_creating_a_token_needs_the_password_and_is_throttled(client, alice, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_ACCOUNT_MAX", 3)
    client.login(alice.email)
    client.get("/account")
    assert client.post("/account/tokens", {"name": "x"}).status_code == 422
    for _ in range(3):
        response = client.post(
            "/account/tokens", {"name": "x", "password": "not the password at all"}
        )
        assert response.status_code == 422
    assert _events("user.reauth_failed") == 3
    # Locked now, like the login: even the right password does not mint a token.
    response = client.post("/account/tokens", {"name": "x", "password": f.PASSWORD})
    assert response.status_code == 429
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_creating_a_token_with_the_password_works(client, alice):
    client.login(alice.email)
    client.get("/account")
    response = client.post("/account/tokens", {"name": "x", "password": f.PASSWORD})
    assert response.status_code == 200
    assert re.search(r"ksy_[A-Za-z0-9_\-]{20,}", response.text)


def test_password_change_ends_tokens_and_tells_the_user(client, alice, app):
    secret = _token(alice)
    assert _api_ok(client, secret)
    client.login(alice.email)
    client.get("/account")
    response = client.post(
        "/account/password",
        {"current_password": f.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "1 personal API token was ended" in response.text
    assert not _api_ok(client, secret)
    mails = [m for m in _mails(app) if "password was changed" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["To"] == alice.email
    assert "1 personal API token was ended" in _text(mails[0])


def test_password_reset_ends_tokens(client, alice, app):
    secret = _token(alice)
    client.get("/password/forgot")
    client.post("/password/forgot", {"email": alice.email})
    path = LINK_RE.search(_text(_mails(app)[-1])).group(1)
    client.get(path)
    response = client.post(
        path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True
    )
    assert "1 personal API token was ended" in response.text
    assert not _api_ok(client, secret)


def test_log_out_everywhere_else_ends_tokens(client, alice):
    secret = _token(alice)
    client.login(alice.email)
    page = client.get("/account/sessions").text
    assert "ends all your personal API tokens" in page
    response = client.post("/account/sessions/revoke-others", follow_redirects=True)
    assert "1 personal API token was ended" in response.text
    assert not _api_ok(client, secret)
    assert client.get("/account").status_code == 200  # this session stays


def test_reactivation_revives_neither_tokens_nor_the_calendar_feed(client, alice, admin):
    secret = _token(alice)
    feed = calendar.create_feed_token(SYSTEM, alice)
    assert client.http.get(f"/calendar/{feed}.ics").status_code == 200
    client.login(admin.email)
    client.get("/admin/users")
    assert client.post(f"/admin/users/{alice.id}/deactivate").status_code == 302
    assert client.post(f"/admin/users/{alice.id}/activate").status_code == 302
    assert _reload(alice).is_active
    assert not _api_ok(client, secret)
    assert client.http.get(f"/calendar/{feed}.ics").status_code == 404


# Item 6: no working secret in the outbox ----------------------------------------------
def test_reset_link_is_mailed_but_never_stored_or_shown_to_admins(make_client, alice, admin, app):
    visitor = make_client()
    visitor.get("/password/forgot")
    visitor.post("/password/forgot", {"email": alice.email})
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == alice.email))
    for body in (row.body_text, row.body_html):
        assert "/password/reset/" not in body and "[link sent to the recipient only]" in body
    # The recipient's mail (text and HTML) carries a link that works.
    mail = _mails(app)[-1]
    path = LINK_RE.search(_text(mail)).group(1)
    assert path in mail.get_body(("html",)).get_content()
    # The admin's Outbox page shows no link, and the reading is on the record.
    reader = make_client()
    reader.login(admin.email)
    page = reader.get(f"/admin/outbox/{row.id}").text
    assert "/password/reset/" not in page and "link sent to the recipient only" in page
    assert _events("outbox.read") == 1
    # The link from the mail works (once).
    assert visitor.get(path).status_code == 200
    response = visitor.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert make_client().login(alice.email, NEW_PASSWORD).status_code == 302


def test_invitation_link_is_minted_at_send_time(make_client, admin, app):
    client = make_client()
    client.login(admin.email)
    client.get("/admin/users/new")
    response = client.post(
        "/admin/users/new",
        {
            "email": "new.person@az.example.org",
            "name": "New Person",
            "member_state": "0",
            "locale": "en",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 302
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "new.person@az.example.org")
    )
    assert "/account/setup/" not in row.body_text + (row.body_html or "")
    path = LINK_RE.search(_text(_mails(app)[-1])).group(1)
    assert path.startswith("/account/setup/")
    assert make_client().get(path).status_code == 200


def test_invite_of_an_account_with_a_password_is_refused(client, alice, admin):
    client.login(admin.email)
    client.get(f"/admin/users/{alice.id}")
    response = client.post(f"/admin/users/{alice.id}/invite")
    assert response.status_code == 409
    assert "set up already" in response.text
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


# Item 7: one-time codes under concurrency ---------------------------------------------
def _csrf(session, url) -> str:
    return CSRF_RE.search(session.get(url, headers={"Host": "konsey.test"}).text).group(1)


def _password_step(base: str, email: str) -> requests.Session:
    s = requests.Session()
    token = _csrf(s, base + "/login")
    r = s.post(
        base + "/login",
        data={"email": email, "password": f.PASSWORD, "csrf_token": token},
        headers={"Host": "konsey.test"},
        allow_redirects=False,
    )
    assert r.status_code == 302 and "/login/2fa" in r.headers["Location"]
    s.two_factor_csrf = _csrf(s, base + "/login/2fa")
    return s


def _race(base: str, sessions, code: str) -> list[int]:
    barrier = threading.Barrier(len(sessions))

    def submit(s):
        barrier.wait()
        r = s.post(
            base + "/login/2fa",
            data={"code": code, "csrf_token": s.two_factor_csrf},
            headers={"Host": "konsey.test"},
            allow_redirects=False,
        )
        return r.status_code

    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(submit, sessions))


@pytest.fixture
def two_factor_user(ctx):
    from konsey.auth import totp

    user = f.make_user("head.kz@kz.example.org", state=f.make_state("KZ"))
    with freeze_time(utcnow() - timedelta(seconds=90)):
        secret = totp.begin(SYSTEM, user)
        codes = totp.confirm(SYSTEM, user, pyotp.TOTP(secret).now())
    return user, secret, codes


@pytest.mark.parametrize("kind", ["totp", "recovery"])
def test_one_code_gives_one_session_under_concurrent_logins(live_url, two_factor_user, kind):
    user, secret, codes = two_factor_user
    sessions = [_password_step(live_url, user.email) for _ in range(4)]
    code = pyotp.TOTP(secret).now() if kind == "totp" else codes[0]
    statuses = _race(live_url, sessions, code)
    assert sorted(statuses) == [302, 401, 401, 401], statuses
    db.session.expire_all()
    assert _events("user.login") == 1


# Item 8: password checks from a session, and the strength rule ------------------------
def test_password_change_is_throttled_and_audited(client, alice, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_ACCOUNT_MAX", 3)
    client.login(alice.email)
    client.get("/account")
    form = {
        "current_password": "wrong guess number",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    for _ in range(3):
        assert client.post("/account/password", form).status_code == 422
    assert _events("user.reauth_failed") == 3
    form["current_password"] = f.PASSWORD
    assert client.post("/account/password", form).status_code == 429
    assert _reload(alice).password_hash == f._password_hash()


def test_disabling_two_factor_is_throttled_and_audited(client, two_factor_user, app, monkeypatch):
    user, secret, _codes = two_factor_user
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_ACCOUNT_MAX", 2)
    s = client
    s.login(user.email)
    page = s.get("/login/2fa")
    assert page.status_code == 200
    assert s.post("/login/2fa", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    s._csrf = None
    s.get("/account/2fa")
    for _ in range(2):
        response = s.post(
            "/account/2fa/disable", {"password": "wrong guess number", "code": "000000"}
        )
        assert response.status_code == 422
    assert _events("user.reauth_failed") == 2
    assert (
        s.post("/account/2fa/disable", {"password": f.PASSWORD, "code": "000000"}).status_code
        == 429
    )
    assert _reload(user).has_two_factor


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "123456789012",
        "abcdefghijkl",
        "alice.smith@",
        "alice.smith@kz",
        "Alice Smith 1",
        "konseykonsey1",
    ],
)
def test_trivial_passwords_are_refused(client, alice, password):
    client.login(alice.email)
    client.get("/account")
    response = client.post(
        "/account/password",
        {"current_password": f.PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 422
    assert _reload(alice).password_hash == f._password_hash()
