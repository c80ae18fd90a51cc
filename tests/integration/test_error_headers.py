"""Error answers keep the headers their status needs (issue 13, item 16):
``Allow`` on 405, ``WWW-Authenticate: Bearer`` on the API's 401 (RFC 6750),
``Content-Range`` on 416, ``Retry-After`` on 429.

Headers are read with werkzeug's parsers, not compared as our own strings.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.http import parse_dict_header, parse_set_header

from konsey import audit
from konsey.auth.api_tokens import create_token, revoke_token
from konsey.documents import services
from konsey.extensions import db
from tests import factories as f
from tests.integration.conftest import login_as


@pytest.fixture
def alice(ctx):
    user = f.make_user("alice@kz.example.org", state=f.make_state("KZ"))
    f.add(f.make_group("wg"), user, "delegate")
    db.session.commit()
    return user


def _allowed(response) -> set[str]:
    return {method.upper() for method in parse_set_header(response.headers.get("Allow"))}


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("DELETE", "/groups", {"GET", "HEAD", "OPTIONS"}),  # a web page
        ("GET", "/logout", {"POST", "OPTIONS"}),  # a web form's action
        ("PUT", "/login", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("DELETE", "/api/v1/me", {"GET", "HEAD", "OPTIONS"}),  # the API
        ("POST", "/api/v1/groups", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_405_lists_exactly_the_allowed_methods(client, alice, method, url, allowed):
    _token, secret = create_token(audit.SYSTEM, alice, "script")
    db.session.commit()
    for logged_in in (False, True):
        headers = {}
        if logged_in and url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {secret}"
        elif logged_in:
            client.login(alice.email)
        response = client.http.open(url, method=method, headers=headers)
        assert response.status_code == 405
        assert _allowed(response) == allowed, response.headers.get("Allow")
        # Each method named is really answered (no 405 on it).
        for name in allowed - {"OPTIONS"}:
            assert client.http.open(url, method=name, headers=headers).status_code != 405


def _challenge(response) -> dict[str, str]:
    """The Bearer challenge's parameters (RFC 6750 section 3)."""
    header = response.headers.get("WWW-Authenticate", "")
    scheme, _, params = header.partition(" ")
    assert scheme.lower() == "bearer", header
    return parse_dict_header(params)


def test_api_without_a_token_asks_for_a_bearer_token(app, ctx):
    response = app.test_client().get("/api/v1/me")
    assert response.status_code == 401
    challenge = _challenge(response)
    assert challenge.get("realm")
    assert "error" not in challenge  # RFC 6750 3.1: no error when nothing was sent
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/groups/wg", "/api/v1/groups/nothing"])
def test_api_with_a_bad_token_says_invalid_token(app, alice, url):
    response = app.test_client().get(url, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    challenge = _challenge(response)
    assert challenge["error"] == "invalid_token"
    assert challenge.get("realm")


def test_api_with_a_revoked_token_says_invalid_token(app, alice):
    token, secret = create_token(audit.SYSTEM, alice, "script")
    db.session.commit()
    http = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert http.get("/api/v1/me", headers=headers).status_code == 200
    revoke_token(audit.SYSTEM, token)
    db.session.commit()
    response = http.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert _challenge(response)["error"] == "invalid_token"


def test_api_session_cookie_gone_still_names_the_bearer_scheme(client, alice):
    client.login(alice.email)
    client.logout()
    response = client.http.get("/api/v1/groups")
    assert response.status_code == 401
    assert "error" not in _challenge(response)


def test_web_pages_still_send_visitors_to_the_login_form(client):
    response = client.http.get("/groups")
    assert response.status_code == 302
    assert "WWW-Authenticate" not in response.headers


def test_429_says_when_to_come_back(make_client, alice, app):
    client = make_client()
    for _ in range(app.config["LOGIN_THROTTLE_ACCOUNT_MAX"]):
        assert client.login(alice.email, "wrong password").status_code == 401
    response = client.login(alice.email)
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= app.config["LOGIN_THROTTLE_LOCKOUT"]


def test_416_keeps_content_range(client, world):
    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(b"x" * 1000), "paper.txt")],
        title="Paper",
        kind="report",
        language="en",
        visibility="group",
    )
    db.session.commit()
    login_as(client, world, "expert")
    for url in (
        f"/groups/wg/documents/{document.id}/versions/1/file",
        f"/api/v1/documents/{document.id}/versions/1/file",
    ):
        response = client.http.get(url, headers={"Range": "bytes=5000-"})
        assert response.status_code == 416, url
        assert response.headers["Content-Range"] == "bytes */1000", url
