"""No open redirects: every ``next`` address is a page of this app (issue 13, item 4).

The attacker's check is what a browser does with the ``Location`` header:
resolve it against the page's address and go there. Every answer below must
stay on this site, on a path the app routes.
"""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests import factories as f

HOSTILE = [
    "////evil.example/phish",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "/%5C%5Cevil.example",
    "/%5cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0D%0A/evil.example",
    " //evil.example",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "\uff0f\uff0fevil.example",  # fullwidth solidus
    "/\uff0fevil.example",
    "/\u2215evil.example",  # division slash (NFKC keeps it; no route has it)
    "\u3002evil.example",
    "/\u200b/evil.example",  # zero-width space
    "evil.example",
    "/no/such/page",
    "/logout",  # a POST-only route is not a page to land on
    "/" + "a" * 3000,
]

# Values that are pages of the app stay as they are.
LOCAL = ["/account", "/groups/wg?page=2", "/account#calendar-h", "/admin"]


@pytest.fixture
def alice(ctx):
    user = f.make_user("alice@kz.example.org", state=f.make_state("KZ"), is_admin=True)
    f.add(f.make_group("wg"), user, "delegate")
    return user


def assert_same_site(location: str) -> str:
    """The address a browser goes to, resolved as a browser does: on this host,
    on a path that the app routes."""
    # What browsers drop before they resolve an address (WHATWG URL parser).
    cleaned = location.strip("\x00 ").replace("\t", "").replace("\n", "").replace("\r", "")
    target = urlsplit(urljoin("http://localhost/", cleaned.replace("\\", "/")))
    assert target.scheme == "http" and target.hostname == "localhost", location
    assert target.path.startswith("/") and not target.path.startswith("//"), location
    return target.path


def _routes(app, path: str) -> bool:
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    try:
        app.url_map.bind("konsey.test").match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def _check(app, response, fallback: str) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    path = assert_same_site(location)
    assert _routes(app, path), location
    assert location == fallback, f"followed a hostile next: {location!r}"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_post_refuses_hostile_next(app, client, alice, target):
    client.get("/login")
    response = client.post(
        "/login?next=" + quote(target, safe=""), {"email": alice.email, "password": f.PASSWORD}
    )
    _check(app, response, "/")


@pytest.mark.parametrize("target", HOSTILE)
def test_login_page_of_a_logged_in_user_refuses_hostile_next(app, client, alice, target):
    client.login(alice.email)
    response = client.get("/login?next=" + quote(target, safe=""))
    _check(app, response, "/")


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_refuses_hostile_next(app, client, alice, target):
    response = client.post("/language", {"lang": "ru", "next": target})
    _check(app, response, "/login")  # a visitor
    client.login(alice.email)
    response = client.post("/language", {"lang": "en", "next": target})
    _check(app, response, "/")


@pytest.mark.parametrize("target", LOCAL)
def test_pages_of_the_app_are_followed(app, client, alice, target):
    client.get("/login")
    response = client.post(
        "/login?next=" + quote(target, safe="/?="), {"email": alice.email, "password": f.PASSWORD}
    )
    assert response.headers["Location"] == target
    client._csrf = None  # the login began a new session
    assert client.post("/language", {"lang": "en", "next": target}).headers["Location"] == target


@pytest.mark.parametrize("target", ["//evil.example", "/%2F%2Fevil.example", "/\\evil.example"])
def test_a_chain_of_next_addresses_never_leaves_the_site(app, client, alice, target):
    """``/login?next=/login?next=…``: each hop is checked again."""
    chain = target
    for _ in range(3):
        chain = "/login?next=" + quote(chain, safe="")
    client.login(alice.email)
    url = chain
    for _ in range(6):
        response = client.get(url)
        if response.status_code not in (302, 303):
            break
        url = response.headers["Location"]
        assert _routes(app, assert_same_site(url)), url
    assert response.status_code == 200
    assert urlsplit(url).path == "/"  # the home page


def test_two_factor_login_keeps_the_check(app, client, ctx):
    """The address waits in the session during the second step: still checked."""
    from datetime import timedelta

    import pyotp
    from freezegun import freeze_time

    from konsey import audit
    from konsey.auth import totp
    from konsey.extensions import db
    from konsey.models.base import utcnow

    user = f.make_user("bob@kz.example.org", state=f.make_state("KZ"))
    # Enrolled three time steps ago, so the current code is a fresh one.
    with freeze_time(utcnow() - timedelta(seconds=90)):
        secret = totp.begin(audit.SYSTEM, user)
        totp.confirm(audit.SYSTEM, user, pyotp.TOTP(secret).now())
        db.session.commit()
    client.get("/login")
    response = client.post(
        "/login?next=" + quote("////evil.example/phish", safe=""),
        {"email": user.email, "password": f.PASSWORD},
    )
    assert response.headers["Location"] == "/login/2fa"
    client.get("/login/2fa")  # the form's CSRF token, in the new session
    response = client.post("/login/2fa", {"code": pyotp.TOTP(secret).now()})
    _check(app, response, "/")
