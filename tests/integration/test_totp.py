"""Two-factor authentication with TOTP codes and one-time recovery codes."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import AuditEvent, RecoveryCode, User
from konsey.models.base import utcnow
from tests import factories as f
from tests.integration.conftest import login_as


@pytest.fixture
def alice(ctx):
    return f.make_user("alice@kz.example.org", state=f.make_state("KZ"))


def _reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + offset)


def _enrol(client) -> tuple[str, list[str]]:
    """Set up 2FA through the pages; returns the secret and the recovery codes."""
    client.get("/account/2fa")
    assert client.post("/account/2fa/setup").status_code == 302
    page = client.get("/account/2fa").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/account/2fa/confirm", {"code": _code(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.text)
    return secret, codes


@pytest.fixture
def enrolled(make_client, alice):
    # Enrolled three time steps ago, so the current code is fresh in the tests.
    with freeze_time(utcnow() - timedelta(seconds=90)):
        client = make_client()
        assert client.login(alice.email).status_code == 302
        secret, codes = _enrol(client)
        client.logout()
    return secret, codes


def _password_step(client, email, remember=False):
    response = client.login(email, remember=remember)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/2fa")
    client.get("/login/2fa")
    return response


def test_enrolment_shows_the_secret_and_uri_then_ten_recovery_codes(client, alice, ctx):
    client.login(alice.email)
    assert "Set up two-factor authentication" in client.get("/account/2fa").text
    client.post("/account/2fa/setup")
    page = client.get("/account/2fa").text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert len(secret) >= 32  # 160 bits
    uri = re.search(r'id="totp-uri" href="([^"]+)"|href="(otpauth://[^"]+)"', page)
    assert "otpauth://totp/" in page and "issuer=Konsey" in page, uri
    # Not in force until a code confirms it.
    assert not _reload(alice).has_two_factor

    wrong = client.post("/account/2fa/confirm", {"code": "000000"})
    assert wrong.status_code == 422 and "The code is not correct" in wrong.text
    assert not _reload(alice).has_two_factor

    response = client.post("/account/2fa/confirm", {"code": _code(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.text)
    assert len(set(codes)) == 10
    assert _reload(alice).has_two_factor
    stored = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == alice.id)
    ).all()
    assert sorted(stored) == sorted(
        hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes
    )
    # Shown once: never again.
    again = client.get("/account/2fa").text
    assert not any(c in again for c in codes)
    assert "10 recovery codes are left." in again
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.2fa_enable")
    ).object_id == str(alice.id)


def test_login_asks_for_the_code_after_the_password(make_client, alice, enrolled):
    secret, _codes = enrolled
    client = make_client()
    _password_step(client, alice.email)
    # The password alone is not a login.
    assert client.get("/groups").status_code == 302
    assert client.get("/account").headers["Location"].startswith("/login")
    wrong = client.post("/login/2fa", {"code": "123456"})
    assert wrong.status_code == 401 and "The code is not correct." in wrong.text
    assert client.get("/groups").status_code == 302
    assert client.post("/login/2fa", {"code": _code(secret)}).status_code == 302
    assert client.get("/groups").status_code == 200


def test_a_code_cannot_be_used_twice(make_client, alice, enrolled):
    secret, _codes = enrolled
    with freeze_time(utcnow()):
        code = _code(secret)
        first = make_client()
        _password_step(first, alice.email)
        assert first.post("/login/2fa", {"code": code}).status_code == 302
        second = make_client()
        _password_step(second, alice.email)
        assert second.post("/login/2fa", {"code": code}).status_code == 401
        assert second.get("/groups").status_code == 302


def test_recovery_codes_work_once(make_client, alice, enrolled):
    _secret, codes = enrolled
    client = make_client()
    _password_step(client, alice.email)
    assert client.post("/login/2fa", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/groups").status_code == 200
    again = make_client()
    _password_step(again, alice.email)
    assert again.post("/login/2fa", {"code": codes[0]}).status_code == 401
    assert again.post("/login/2fa", {"code": codes[1]}).status_code == 302


def test_the_second_step_is_throttled_like_passwords(make_client, alice, enrolled):
    secret, _codes = enrolled
    client = make_client()
    _password_step(client, alice.email)
    for _ in range(10):
        assert client.post("/login/2fa", {"code": "000000"}).status_code == 401
    response = client.post("/login/2fa", {"code": _code(secret)})
    assert response.status_code == 429
    assert "Too many failed attempts; try again in 15 minutes." in response.text
    assert client.get("/groups").status_code == 302
    # The password step is locked as well.
    assert make_client().login(alice.email).status_code == 429


def test_the_password_step_expires(make_client, alice, enrolled):
    secret, _codes = enrolled
    with freeze_time(utcnow()) as clock:
        client = make_client()
        _password_step(client, alice.email)
        clock.tick(timedelta(minutes=6))
        response = client.post("/login/2fa", {"code": _code(secret)})
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        assert client.get("/groups").status_code == 302


def test_bad_second_step_input(make_client, alice, enrolled):
    client = make_client()
    # No password step at all: back to the login page.
    assert make_client().get("/login/2fa").headers["Location"] == "/login"
    _password_step(client, alice.email)
    assert client.post("/login/2fa", {"code": ""}).status_code == 400
    assert client.post("/login/2fa", {"code": "9" * 65}).status_code == 400
    assert client.post("/login/2fa", {"code": "12345\x00"}).status_code == 400


def test_disable_needs_the_password_and_a_code(make_client, alice, enrolled):
    secret, _codes = enrolled
    client = make_client()
    _password_step(client, alice.email)
    client.post("/login/2fa", {"code": _code(secret, -1)})
    client.get("/account/2fa")
    response = client.post(
        "/account/2fa/disable", {"password": "wrong password", "code": _code(secret)}
    )
    assert response.status_code == 422 and "The password is not correct." in response.text
    response = client.post("/account/2fa/disable", {"password": f.PASSWORD, "code": "111111"})
    assert response.status_code == 422
    assert _reload(alice).has_two_factor
    response = client.post("/account/2fa/disable", {"password": f.PASSWORD, "code": _code(secret)})
    assert response.status_code == 302
    user = _reload(alice)
    assert not user.has_two_factor and user.totp_secret is None
    assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    # The next login is the password alone.
    fresh = make_client()
    assert fresh.login(alice.email).headers["Location"] == "/"


def test_admin_resets_a_users_two_factor(make_client, alice, enrolled, world):
    admin = make_client()
    login_as(admin, world, "admin")
    page = admin.get(f"/admin/users/{alice.id}").text
    assert "Reset two-factor authentication" in page
    assert admin.post(f"/admin/users/{alice.id}/2fa/reset").status_code == 302
    assert not _reload(alice).has_two_factor
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.2fa_reset"))
    assert event.object_id == str(alice.id)
    assert event.actor_id == world["users"]["admin"].id
    assert make_client().login(alice.email).headers["Location"] == "/"


def test_managers_must_enrol_first_when_required(app, make_client, world, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_FOR_MANAGERS", True)
    for role in ("coordinator", "admin"):
        client = make_client()
        login_as(client, world, role)
        for url in ("/groups", "/admin/", "/account"):
            response = client.get(url)
            assert response.status_code == 302, (role, url)
            assert response.headers["Location"] == "/account/2fa"
        assert client.get("/account/2fa").status_code == 200
        api = client.get("/api/v1/me")
        assert api.status_code == 403 and api.json["error"]["code"] == "two_factor_required"
    delegate = make_client()
    login_as(delegate, world, "delegate")
    assert delegate.get("/groups").status_code == 200
    # Once enrolled, the coordinator works as before.
    coordinator = make_client()
    login_as(coordinator, world, "coordinator")
    _enrol(coordinator)
    assert coordinator.get("/groups").status_code == 200


def test_enrolment_bad_input_changes_nothing(client, alice, ctx):
    client.login(alice.email)
    # Confirm before set-up.
    response = client.post("/account/2fa/confirm", {"code": "123456"})
    assert response.status_code == 422 and "Start the set-up first." in response.text
    client.post("/account/2fa/setup")
    for code in ("", "abc", "1" * 65):
        assert client.post("/account/2fa/confirm", {"code": code}).status_code == 422
    assert not _reload(alice).has_two_factor
    # Disabling what is off.
    response = client.post("/account/2fa/disable", {"password": f.PASSWORD, "code": "123456"})
    assert response.status_code == 409
