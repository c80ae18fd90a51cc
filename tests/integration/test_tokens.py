"""API tokens: expiry, read-only or read-write scope, last use, never more than the user."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import ActionItem, ApiToken, User
from konsey.models.base import utcnow
from tests.factories import PASSWORD
from tests.integration.conftest import login_as


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _token(world, who: str, **kw) -> str:
    _row, secret = create_token(audit.SYSTEM, world["users"][who], "test", **kw)
    db.session.commit()
    return secret


def _new_action():
    return {
        "title": "Inform the Secretariat of the place and date",
        "owner_state": "kz",
        "due_date": (date.today() + timedelta(days=20)).isoformat(),
    }


def _actions() -> int:
    return db.session.scalar(select(func.count(ActionItem.id)))


def test_read_only_tokens_read_but_never_write(client, world):
    read_only = _token(world, "coordinator", scope="read-only")
    assert client.http.get("/api/v1/me", headers=_bearer(read_only)).status_code == 200
    before = _actions()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client.http, method)(
            "/api/v1/groups/wg/actions", json=_new_action(), headers=_bearer(read_only)
        )
        assert response.status_code == 403, method
        assert response.json["error"]["message"] == "This API token is read-only."
    assert _actions() == before
    read_write = _token(world, "coordinator", scope="read-write")
    response = client.http.post(
        "/api/v1/groups/wg/actions", json=_new_action(), headers=_bearer(read_write)
    )
    assert response.status_code == 201, response.json
    assert _actions() == before + 1


def test_a_token_never_grants_more_than_its_user(client, world):
    delegate = _token(world, "delegate", scope="read-write")
    response = client.http.post(
        "/api/v1/groups/wg/actions", json=_new_action(), headers=_bearer(delegate)
    )
    assert response.status_code == 403
    # Deactivated: the token stops working at once.
    user = db.session.get(User, world["users"]["delegate"].id)
    user.is_active_account = False
    db.session.commit()
    assert client.http.get("/api/v1/me", headers=_bearer(delegate)).status_code == 401


def test_tokens_expire(client, world, app):
    secret = _token(world, "delegate", days=7)
    row = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    assert row.expires_at - row.created_at == timedelta(days=7)
    default = _token(world, "delegate")
    with freeze_time(utcnow() + timedelta(days=7, seconds=1)):
        assert client.http.get("/api/v1/me", headers=_bearer(secret)).status_code == 401
        assert client.http.get("/api/v1/me", headers=_bearer(default)).status_code == 200
    with freeze_time(utcnow() + timedelta(days=90, seconds=1)):
        assert client.http.get("/api/v1/me", headers=_bearer(default)).status_code == 401
    assert app.config["API_TOKEN_DEFAULT_DAYS"] == 90
    assert app.config["API_TOKEN_MAX_DAYS"] == 365


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"days": 0}, "expires_in_days"),
        ({"days": 366}, "expires_in_days"),
        ({"days": -5}, "expires_in_days"),
        ({"scope": "admin"}, "scope"),
        ({"scope": ""}, "scope"),
    ],
)
def test_bad_token_settings_are_refused_by_the_service(world, kw, field):
    with pytest.raises(ValidationError) as info:
        create_token(audit.SYSTEM, world["users"]["delegate"], "x", **kw)
    assert info.value.field == field


def test_account_page_creates_read_only_tokens_and_shows_expiry_and_last_use(client, world):
    login_as(client, world, "delegate")
    page = client.get("/account").text
    assert 'name="scope"' in page and 'name="expires_in_days"' in page
    response = client.post(
        "/account/tokens",
        {"name": "reporting", "scope": "read-only", "expires_in_days": "30", "password": PASSWORD},
    )
    assert response.status_code == 200
    secret = re.search(r'id="new-token">([^<]+)<', response.text).group(1)
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "reporting"))
    assert row.scope == "read-only"
    assert abs(row.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)
    row_html = _row_of(client.get("/account").text, "reporting")
    assert "read only" in row_html and "never" in row_html
    assert client.http.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    row_html = _row_of(client.get("/account").text, "reporting")
    assert "never" not in row_html


def _row_of(page: str, name: str) -> str:
    match = re.search(r"<tr>\s*<td>" + re.escape(name) + r"</td>.*?</tr>", page, re.S)
    assert match, page
    return match.group(0)


@pytest.mark.parametrize(
    "form",
    [
        {"name": "x", "scope": "everything", "expires_in_days": "30"},
        {"name": "x", "scope": "read-only", "expires_in_days": "3650"},
        {"name": "x", "scope": "read-only", "expires_in_days": "soon"},
        {"name": "", "scope": "read-only", "expires_in_days": "30"},
    ],
)
def test_bad_token_form_input_changes_nothing(client, world, form):
    login_as(client, world, "delegate")
    client.get("/account")
    before = db.session.scalar(select(func.count(ApiToken.id)))
    assert client.post("/account/tokens", form).status_code == 422
    assert db.session.scalar(select(func.count(ApiToken.id))) == before


def test_last_use_is_written_at_most_once_a_minute(client, world):
    secret = _token(world, "delegate")
    with freeze_time(utcnow()) as clock:
        client.http.get("/api/v1/me", headers=_bearer(secret))
        first = _last_used(secret)
        assert first is not None
        clock.tick(timedelta(seconds=30))
        client.http.get("/api/v1/me", headers=_bearer(secret))
        assert _last_used(secret) == first
        clock.tick(timedelta(seconds=31))
        client.http.get("/api/v1/me", headers=_bearer(secret))
        assert _last_used(secret) > first


def _last_used(secret: str):
    from konsey.auth.api_tokens import _hash

    db.session.expire_all()
    return db.session.scalar(
        select(ApiToken.last_used_at).where(ApiToken.token_hash == _hash(secret))
    )


def test_cli_creates_scoped_tokens_within_the_maximum(app, client, world):
    runner = app.test_cli_runner()
    email = world["users"]["delegate"].email
    result = runner.invoke(args=["konsey", "token", "create", email, "--days", "400"])
    assert result.exit_code != 0 and "1 to 365 days" in result.output
    result = runner.invoke(
        args=["konsey", "token", "create", email, "--scope", "read-only", "--days", "30"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    db.session.expire_all()
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "cli"))
    assert (row.scope, row.expires_at - row.created_at) == ("read-only", timedelta(days=30))
    response = client.http.post("/api/v1/groups/wg/actions", json={}, headers=_bearer(secret))
    assert response.status_code == 403
