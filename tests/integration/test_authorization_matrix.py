"""Every route of the app × every role, against the policy.

The test fails when a route exists that this matrix does not list, so every
new route must be added here with its expected answer for every role.
"""

from __future__ import annotations

import pytest
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

from tests.integration import (
    matrix_actions,
    matrix_documents,
    matrix_embargo,
    matrix_meetings,
    matrix_minutes,
    matrix_participants,
    matrix_symbols,
    matrix_translations,
)
from tests.integration.conftest import login_as
from tests.integration.matrix_roles import (
    ADMINS,
    ALLOW,
    DENY,
    LOGIN,
    MANAGERS,
    MEMBERS,
    NOTFOUND,
    PUBLIC,
    ROLES,
    SESSION_USERS,
    api,
    html,
)

MATRIX: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/"): PUBLIC,  # the home page ("what needs me?"), or a redirect to the login page
    ("POST", "/language"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): html(SESSION_USERS),
    ("GET", "/password/forgot"): PUBLIC,
    ("POST", "/password/forgot"): PUBLIC,
    ("GET", "/password/reset/<token>"): PUBLIC,
    ("POST", "/password/reset/<token>"): PUBLIC,
    ("GET", "/account/setup/<token>"): PUBLIC,
    ("POST", "/account/setup/<token>"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    # The digest's one-click link: the signed token is the proof, no login.
    ("GET", "/notifications/digest/<digest_token>"): PUBLIC,
    ("POST", "/notifications/digest/<digest_token>"): PUBLIC,
    # RFC 8058 one-click unsubscribe: the mail client POSTs without a session.
    ("GET", "/notifications/unsubscribe/<unsubscribe_token>"): PUBLIC,
    ("POST", "/notifications/unsubscribe/<unsubscribe_token>"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/account"): html(SESSION_USERS),
    ("POST", "/account/profile"): html(SESSION_USERS),
    ("POST", "/account/password"): html(SESSION_USERS),
    ("POST", "/account/tokens"): html(SESSION_USERS),
    ("POST", "/account/tokens/<int:token_id>/revoke"): html(SESSION_USERS),
    ("GET", "/login/2fa"): PUBLIC,  # without a password step: back to the login page
    ("POST", "/login/2fa"): PUBLIC,
    ("GET", "/account/sessions"): html(SESSION_USERS),
    # The session in the URL is the outsider's: anyone else's is not found.
    ("POST", "/account/sessions/<int:session_id>/revoke"): {
        **html(SESSION_USERS),
        **dict.fromkeys([r for r in SESSION_USERS if r != "outsider"], NOTFOUND),
    },
    ("POST", "/account/sessions/revoke-others"): html(SESSION_USERS),
    ("GET", "/account/2fa"): html(SESSION_USERS),
    ("POST", "/account/2fa/setup"): html(SESSION_USERS),
    ("POST", "/account/2fa/confirm"): html(SESSION_USERS),
    ("POST", "/account/2fa/disable"): html(SESSION_USERS),
    ("GET", "/groups"): html(SESSION_USERS),
    ("GET", "/groups/<slug>"): html(MEMBERS),
    ("GET", "/groups/<slug>/roster"): html(MEMBERS),
    ("POST", "/groups/<slug>/roster"): html(MANAGERS),
    ("POST", "/groups/<slug>/roster/<int:membership_id>/role"): html(MANAGERS),
    ("POST", "/groups/<slug>/roster/<int:membership_id>/remove"): html(MANAGERS),
    ("GET", "/admin/"): html(ADMINS),
    ("GET", "/admin/states"): html(ADMINS),
    ("GET", "/admin/states/new"): html(ADMINS),
    ("POST", "/admin/states/new"): html(ADMINS),
    ("GET", "/admin/states/<int:state_id>"): html(ADMINS),
    ("POST", "/admin/states/<int:state_id>"): html(ADMINS),
    ("GET", "/admin/users"): html(ADMINS),
    ("GET", "/admin/users/new"): html(ADMINS),
    ("POST", "/admin/users/new"): html(ADMINS),
    ("GET", "/admin/users/<int:user_id>"): html(ADMINS),
    ("POST", "/admin/users/<int:user_id>"): html(ADMINS),
    ("POST", "/admin/users/<int:user_id>/deactivate"): html(ADMINS),
    ("POST", "/admin/users/<int:user_id>/activate"): html(ADMINS),
    ("POST", "/admin/users/<int:user_id>/invite"): html(ADMINS),
    ("POST", "/admin/users/<int:user_id>/2fa/reset"): html(ADMINS),
    ("GET", "/admin/groups"): html(ADMINS),
    ("GET", "/admin/groups/new"): html(ADMINS),
    ("POST", "/admin/groups/new"): html(ADMINS),
    ("GET", "/admin/groups/<int:group_id>"): html(ADMINS),
    ("POST", "/admin/groups/<int:group_id>"): html(ADMINS),
    ("GET", "/admin/audit"): html(ADMINS),
    ("GET", "/admin/outbox"): html(ADMINS),
    ("GET", "/admin/outbox/<int:message_id>"): html(ADMINS),
    ("POST", "/admin/outbox/<int:message_id>/retry"): html(ADMINS),
    ("GET", "/api/v1/me"): api(SESSION_USERS),
    ("GET", "/api/v1/groups"): api(SESSION_USERS),
    ("GET", "/api/v1/groups/<slug>"): api(MEMBERS),
}


MATRIX.update(matrix_meetings.ROWS)
MATRIX.update(matrix_minutes.ROWS)
MATRIX.update(matrix_documents.ROWS)
MATRIX.update(matrix_actions.ROWS)
MATRIX.update(matrix_participants.ROWS)
MATRIX.update(matrix_symbols.ROWS)
MATRIX.update(matrix_translations.ROWS)
MATRIX.update(matrix_embargo.ROWS)


def app_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_matrix_lists_every_route(app):
    routes = app_routes(app)
    missing = routes - set(MATRIX)
    stale = set(MATRIX) - routes
    assert not missing, f"routes missing from the authorization matrix: {sorted(missing)}"
    assert not stale, f"matrix lists routes that no longer exist: {sorted(stale)}"


def _url(rule: str, params: dict, token_id: int) -> str:
    url = rule
    for name, value in {**params, "token_id": token_id}.items():
        for converter in ("", "int:"):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no test value for a parameter of {rule}"
    return url


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    # Refused for want of a login: 401 (API) or sent to the login page with
    # the address to come back to.
    if response.status_code == 401 or (
        response.status_code in (301, 302, 303) and "/login?next=" in location
    ):
        return LOGIN
    if response.status_code == 403:
        return DENY
    if response.status_code == 404:
        return NOTFOUND
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return ALLOW


CASES = [(method, rule, role) for (method, rule), roles in sorted(MATRIX.items()) for role in ROLES]


@pytest.mark.parametrize(("method", "rule", "role"), CASES)
def test_route_for_role(app, client, world, method, rule, role):
    expected = MATRIX[(method, rule)][role]
    session_user = {"deactivated_token": None, "delegate_token": None}.get(role, role)
    headers = {}
    token_owner = {"deactivated_token": "deactivated", "delegate_token": "delegate"}.get(role, role)
    token_id = world["tokens"].get(token_owner, world["tokens"]["outsider"])[0]
    if role in ("deactivated_token", "delegate_token"):
        headers["Authorization"] = f"Bearer {world['tokens'][token_owner][1]}"
    elif session_user != "anonymous":
        login_as(client, world, session_user)
    url = _url(rule, world["params"], token_id)
    if method == "GET":
        response = client.http.get(url, headers=headers)
    else:
        # A form with a valid CSRF token (taken from a page as a browser would),
        # but otherwise empty: the policy must decide before any validation.
        client._csrf = None
        response = client.http.open(
            url, method=method, data={"csrf_token": client.csrf()}, headers=headers
        )
    assert _outcome(response) == expected, (
        f"{method} {url} as {role}: HTTP {response.status_code}, expected {expected}"
    )
    # Whatever the answer, nobody's page is kept by a browser or a proxy.
    cache_control = parse_cache_control_header(
        response.headers.get("Cache-Control"), cls=ResponseCacheControl
    )
    assert cache_control.no_store, f"{method} {url} as {role}: {cache_control}"
