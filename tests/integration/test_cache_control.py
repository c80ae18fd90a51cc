"""Nothing personal is kept by a browser or a proxy (issue 13, item 10):
``Cache-Control: no-store`` on every page, API answer, export and download;
the static files keep their caching.

(The authorization matrix also checks ``no-store`` on every route for every role.)
"""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.documents import services
from konsey.extensions import db
from tests.factories import PASSWORD
from tests.integration.conftest import login_as


def assert_no_store(response) -> None:
    directives = parse_cache_control_header(
        response.headers.get("Cache-Control"), cls=ResponseCacheControl
    )
    assert directives.no_store, (response.request.path, response.headers.get("Cache-Control"))
    assert not directives.public and directives.max_age in (None, 0)


@pytest.fixture
def document(world):
    [doc] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(b"confidential " * 100), "paper.txt")],
        title="Paper",
        kind="report",
        language="en",
        visibility="group",
    )
    db.session.commit()
    return doc


PAGES = [
    "/",
    "/groups",
    "/groups/wg",
    "/groups/wg/roster",
    "/account",
    "/account/sessions",
    "/account/2fa",
    "/groups/wg/actions/export.csv",
    "/actions/mine/export.csv",
    "/api/v1/me",
    "/api/v1/groups/wg",
    "/admin/audit",
    "/no/such/page",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_of_a_logged_in_user_are_not_stored(client, world, url):
    login_as(client, world, "admin")
    response = client.get(url)
    assert response.status_code in (200, 404), url
    assert_no_store(response)


def test_the_page_that_shows_a_new_token_once_is_not_stored(client, world):
    login_as(client, world, "delegate")
    client.get("/account")
    response = client.post(
        "/account/tokens",
        {"name": "reporting", "scope": "read-only", "expires_in_days": "30", "password": PASSWORD},
    )
    assert response.status_code == 200 and 'id="new-token"' in response.text
    assert_no_store(response)


def test_the_two_factor_set_up_pages_are_not_stored(client, world):
    login_as(client, world, "delegate")
    client.get("/account/2fa")
    response = client.post("/account/2fa/setup")
    assert_no_store(response)
    page = client.get("/account/2fa")
    assert 'id="totp-secret"' in page.text  # the secret is on this page
    assert_no_store(page)
    confirm = client.post("/account/2fa/confirm", {"code": "000000"})
    assert_no_store(confirm)


def test_the_api_with_a_token_is_not_stored(app, world):
    _token, secret = create_token(audit.SYSTEM, world["users"]["delegate"], "script")
    db.session.commit()
    http = app.test_client()
    for url in ("/api/v1/me", "/api/v1/groups", "/api/v1/groups/wg", "/api/v1/nothing"):
        assert_no_store(http.get(url, headers={"Authorization": f"Bearer {secret}"}))


def test_the_private_calendar_feed_is_not_stored(app, client, world):
    login_as(client, world, "delegate")
    client.get("/account")
    page = client.post("/account/calendar").text
    url = re.search(r'id="feed-url"[^>]*>\s*([^<\s]+)\s*<', page).group(1)
    response = app.test_client().get(url.removeprefix(app.config["BASE_URL"]))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert_no_store(response)


@pytest.mark.parametrize("prefix", ["/groups/wg/documents", "/api/v1/documents"])
def test_document_downloads_are_private_and_not_stored_but_keep_their_etag(
    client, world, document, prefix
):
    login_as(client, world, "expert")
    url = f"{prefix}/{document.id}/versions/1/file"
    response = client.http.get(url)
    assert response.status_code == 200
    assert_no_store(response)
    assert parse_cache_control_header(
        response.headers["Cache-Control"], cls=ResponseCacheControl
    ).private
    etag = response.headers["ETag"]
    again = client.http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert_no_store(again)
    part = client.http.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert_no_store(part)


@pytest.mark.parametrize("url", ["/login", "/password/forgot", "/api/v1/openapi.json"])
def test_visitor_pages_are_not_stored_either(client, url):
    assert_no_store(client.http.get(url))


def test_static_files_keep_their_caching(client, world):
    for logged_in in (False, True):
        if logged_in:
            login_as(client, world, "delegate")
        response = client.http.get("/static/css/konsey.css")
        assert response.status_code == 200
        directives = parse_cache_control_header(
            response.headers.get("Cache-Control"), cls=ResponseCacheControl
        )
        assert not directives.no_store
        # Still answered conditionally, so a browser revalidates cheaply.
        modified = response.headers.get("Last-Modified") or ""
        etag = response.headers.get("ETag") or ""
        assert etag or modified
        again = client.http.get(
            "/static/css/konsey.css",
            headers={"If-None-Match": etag} if etag else {"If-Modified-Since": modified},
        )
        assert again.status_code == 304
