"""The account page: profile, password change, personal API tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import ApiToken, AuditEvent, DigestFrequency, User
from tests import factories as f

PROFILE = {"name": "Aigerim", "locale": "ru", "timezone": "Asia/Almaty", "digest": "weekly"}


@pytest.fixture
def alice(ctx):
    user = f.make_user("alice@kz.example.org", state=f.make_state("KZ"), name="Alice")
    return user


@pytest.fixture
def logged_in(client, alice):
    assert client.login(alice.email).status_code == 302
    return client


def _reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_account_page_shows_the_settings(logged_in, alice):
    page = logged_in.get("/account").get_data(as_text=True)
    assert alice.email in page
    for name in ("name", "locale", "timezone", "digest", "current_password"):
        assert f'name="{name}"' in page


def test_update_profile(logged_in, alice, ctx):
    r = logged_in.post("/account/profile", PROFILE)
    assert r.status_code == 302
    user = _reload(alice)
    assert (user.name, user.locale, user.timezone, user.digest) == (
        "Aigerim",
        "ru",
        "Asia/Almaty",
        DigestFrequency.WEEKLY,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.profile_update"))
    assert event.actor_id == alice.id
    # The page now speaks the chosen language.
    assert '<html lang="ru">' in logged_in.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus_Mons", "Unknown time zone"),
        ("timezone", "", "This field is required"),
        ("locale", "xx", "Not a valid choice"),
        ("digest", "hourly", "Not a valid choice"),
        ("name", "", "This field is required"),
        ("name", "x" * 201, "200"),
    ],
)
def test_bad_profile_input_changes_nothing(logged_in, alice, ctx, field, value, message):
    before = (alice.name, alice.locale, alice.timezone, alice.digest)
    r = logged_in.post("/account/profile", {**PROFILE, field: value})
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    user = _reload(alice)
    assert (user.name, user.locale, user.timezone, user.digest) == before


def test_change_password_ends_other_sessions(logged_in, make_client, alice, ctx):
    other = make_client()
    other.login(alice.email, remember=True)
    assert other.get("/account").status_code == 200

    new = "a completely new passphrase"
    r = logged_in.post(
        "/account/password",
        {"current_password": f.PASSWORD, "password": new, "confirm": new},
    )
    assert r.status_code == 302
    # This session goes on; the other one (and its remember-me cookie) is over.
    assert logged_in.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert make_client().login(alice.email, new).status_code == 302
    assert make_client().login(alice.email, f.PASSWORD).status_code == 401


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "wrong current password",
            "a good new passphrase",
            "a good new passphrase",
            "The current password is not correct.",
        ),
        (f.PASSWORD, "short", "short", "at least 12 characters"),
        (f.PASSWORD, "a good new passphrase", "a different passphrase", "The passwords differ."),
    ],
)
def test_bad_password_change_changes_nothing(logged_in, alice, ctx, current, new, confirm, message):
    r = logged_in.post(
        "/account/password", {"current_password": current, "password": new, "confirm": confirm}
    )
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert _reload(alice).password_hash == f._password_hash()
    assert logged_in.get("/account").status_code == 200


def _create_token(client, name="my script"):
    r = client.post("/account/tokens", {"name": name, "password": f.PASSWORD})
    assert r.status_code == 200
    match = re.search(r'id="new-token">([^<]+)<', r.get_data(as_text=True))
    assert match, "the new token is shown once"
    return match.group(1)


def test_tokens_are_shown_once_stored_hashed_listed_and_revocable(logged_in, alice, ctx):
    secret = _create_token(logged_in)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == alice.id))
    assert secret not in (token.token_hash, token.prefix)
    assert secret.startswith(token.prefix)

    me = logged_in.http.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json["email"] == alice.email

    page = logged_in.get("/account").get_data(as_text=True)
    assert "my script" in page
    assert secret not in page  # never shown again

    r = logged_in.post(f"/account/tokens/{token.id}/revoke")
    assert r.status_code == 302
    gone = logged_in.http.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status_code == 401
    assert "revoked" in logged_in.get("/account").get_data(as_text=True)


def test_token_name_is_required(logged_in, alice, ctx):
    r = logged_in.post("/account/tokens", {"name": ""})
    assert r.status_code == 422
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == alice.id)) is None


def test_cannot_revoke_someone_elses_token(logged_in, ctx):
    from konsey import audit
    from konsey.auth.api_tokens import create_token

    bob = f.make_user("bob@kz.example.org")
    token, _secret = create_token(audit.SYSTEM, bob, "bob's")
    db.session.commit()
    r = logged_in.post(f"/account/tokens/{token.id}/revoke")
    assert r.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_deactivated_users_token_stops_working(logged_in, alice, ctx):
    secret = _create_token(logged_in)
    user = _reload(alice)
    user.is_active_account = False
    db.session.commit()
    r = logged_in.http.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401
    assert r.json["error"]["code"] == "unauthorized"
