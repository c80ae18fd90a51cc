"""Security headers on every kind of response, and the cookies' attributes."""

from __future__ import annotations

import pytest

from konsey import config
from tests import factories as f

PAGES = {
    "html": ("/login", 200),
    "api": ("/api/v1/openapi.json", 200),
    "api error": ("/api/v1/groups/nothing-here", 401),
    "html error": ("/no/such/page", 404),
    "static": ("/static/css/konsey.css", 200),
    "redirect": ("/", 302),
}


@pytest.mark.parametrize("kind", PAGES)
def test_every_response_carries_the_security_headers(client, kind):
    url, status = PAGES[kind]
    response = client.http.get(url)
    assert response.status_code == status
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    # Plain HTTP: no HSTS (it would be ignored, and a header there is a mistake).
    assert "Strict-Transport-Security" not in headers


@pytest.mark.parametrize("kind", PAGES)
def test_hsts_under_https(client, kind):
    url, status = PAGES[kind]
    response = client.http.get(url, base_url="https://konsey.test")
    assert response.status_code == status
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(response.headers["Strict-Transport-Security"].split("=")[1]) >= 31536000


def _set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.fixture
def alice(ctx):
    return f.make_user("alice@kz.example.org", state=f.make_state("KZ"))


def test_session_and_remember_cookies_are_httponly_and_samesite(client, alice):
    response = client.login(alice.email, remember=True)
    cookies = _set_cookies(response)
    for name in ("session", "remember_token"):
        attributes = cookies[name].lower()
        assert "httponly" in attributes, cookies[name]
        assert "samesite=lax" in attributes, cookies[name]
        # The test app is plain HTTP (development settings).
        assert "secure" not in attributes.replace("samesite", ""), cookies[name]


def test_cookies_are_secure_under_https(app, make_client, alice, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    client = make_client()
    client.http.get("/login", base_url="https://konsey.test")
    response = client.login(alice.email, remember=True)
    cookies = _set_cookies(response)
    for name in ("session", "remember_token"):
        assert "; secure" in cookies[name].lower(), cookies[name]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KONSEY_ENV": "production", "SECRET_KEY": "s" * 40}, True),
        ({"KONSEY_BASE_URL": "https://konsey.example.org"}, True),
        ({"KONSEY_BASE_URL": "http://127.0.0.1:5000"}, False),
    ],
)
def test_configuration_makes_cookies_secure_under_https(monkeypatch, tmp_path, env, expected):
    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("KONSEY_ENV", raising=False)
    monkeypatch.delenv("KONSEY_BASE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = config.from_environment()
    assert settings["SESSION_COOKIE_SECURE"] is expected
    assert settings["REMEMBER_COOKIE_SECURE"] is expected
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["REMEMBER_COOKIE_HTTPONLY"]
    assert settings["SESSION_COOKIE_SAMESITE"] == settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def _app_with(app, **overrides):
    from konsey import create_app

    keys = ("KONSEY_ENV", "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_FOLDER")
    keys += ("MAIL_DELIVERY", "REDIS_URL", "SERVER_NAME", "BASE_URL")
    return create_app({**{k: app.config[k] for k in keys}, **overrides})


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_behind_a_trusted_proxy_https_and_the_client_address_are_seen(app, ctx):
    """KONSEY_TRUSTED_PROXIES=1: the proxy's X-Forwarded-* headers count, so
    HSTS is sent and audit events (and the IP throttle) see the real client."""
    import re

    from sqlalchemy import select

    from konsey.extensions import db
    from konsey.models import AuditEvent

    user = f.make_user("alice@kz.example.org", state=f.make_state("KZ"))
    client = _app_with(app, TRUSTED_PROXIES=1).test_client()
    page = client.get("/login", headers=FORWARDED)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": user.email, "password": "wrong", "csrf_token": token[1]},
        # Over HTTPS, CSRF protection also wants a same-site Referer.
        headers={**FORWARDED, "Referer": "https://konsey.test/login"},
    )
    assert response.status_code == 401  # the form again, with its message
    db.session.expire_all()
    ips = set(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action.like("%login%"))))
    assert ips == {"203.0.113.7"}


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(app):
    """Anyone can send X-Forwarded-For; believed only when configured."""
    response = _app_with(app).test_client().get("/login", headers=FORWARDED)
    assert "Strict-Transport-Security" not in response.headers
