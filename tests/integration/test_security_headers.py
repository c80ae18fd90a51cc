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
