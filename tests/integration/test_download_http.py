"""Downloads as real HTTP clients see them: conditional and ranged requests
over a socket (RFC 9110 §13.2.2: preconditions before Range).

The app is served by a threaded HTTP/1.1 server on loopback and asked by
clients that share no code with Flask's test client: http.client on a
keep-alive connection (a wrong Content-Length would leave it waiting for
bytes that never come, or make the next answer unreadable) and curl.
"""

from __future__ import annotations

import http.client
import io
import shutil
import subprocess
import threading

import pytest
from werkzeug.http import http_date
from werkzeug.serving import make_server

from konsey import audit
from konsey.documents import services
from tests.integration.conftest import login_as
from tests.integration.documents_support import sha

CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 40  # 10 249 bytes
SIZE = len(CONTENT)
ETAG = f'"{sha(CONTENT)}"'
HOST = "konsey.test"  # the app's SERVER_NAME


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()


@pytest.fixture
def paper(world):
    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(CONTENT), "paper.pdf")],
        title="Paper",
        kind="report",
        language="en",
        visibility="group",
    )
    return document


@pytest.fixture(params=["page", "api"])
def download(request, world, paper, client):
    """(path, credentials) of the file on the web pages and in the API."""
    if request.param == "api":
        token = world["tokens"]["expert"][1]
        return (
            f"/api/v1/documents/{paper.id}/versions/1/file",
            {"Authorization": f"Bearer {token}"},
        )
    login_as(client, world, "expert")
    cookie = client.http.get_cookie("session", domain=HOST)
    return (
        f"/groups/wg/documents/{paper.id}/versions/1/file",
        {"Cookie": f"session={cookie.value}"},
    )


class Connection:
    """One keep-alive connection; every answer is read to its end."""

    def __init__(self, port: int, path: str, credentials: dict[str, str]):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.path = path
        self.credentials = credentials

    def ask(self, headers: dict[str, str] | None = None, method: str = "GET"):
        self.http.request(
            method, self.path, headers={"Host": HOST, **self.credentials, **(headers or {})}
        )
        response = self.http.getresponse()
        return response, response.read()

    def still_usable(self) -> bool:
        """The connection carries a plain download after the answer before it."""
        response, body = self.ask()
        return response.status == 200 and body == CONTENT


@pytest.fixture
def conn(server, download):
    connection = Connection(server, *download)
    yield connection
    connection.http.close()


def _assert_not_modified(response, body):
    assert response.status == 304
    assert body == b""
    assert response.getheader("ETag") == ETAG
    assert "no-store" in response.getheader("Cache-Control")
    assert response.getheader("Content-Range") is None
    length = response.getheader("Content-Length")
    assert length in (None, "0")  # not the file's (or a range's) length


@pytest.mark.parametrize(
    "tag", [ETAG, "*", f"W/{ETAG}", f'"other", {ETAG}'], ids=["etag", "star", "weak", "list"]
)
def test_if_none_match_with_a_range_is_304(conn, tag):
    response, body = conn.ask({"If-None-Match": tag, "Range": "bytes=0-1023"})
    _assert_not_modified(response, body)
    assert conn.still_usable()


def test_if_none_match_on_head_is_304(conn):
    response, body = conn.ask({"If-None-Match": ETAG}, method="HEAD")
    _assert_not_modified(response, body)
    assert conn.still_usable()


def test_a_different_tag_gets_the_range(conn):
    response, body = conn.ask({"If-None-Match": '"other"', "Range": "bytes=0-1023"})
    assert response.status == 206
    assert body == CONTENT[:1024]
    assert response.getheader("Content-Range") == f"bytes 0-1023/{SIZE}"
    assert conn.still_usable()


@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=0-1023"}])
def test_if_match_with_another_tag_is_412(conn, headers):
    response, body = conn.ask({"If-Match": '"other"', **headers})
    assert response.status == 412
    assert int(response.getheader("Content-Length")) == len(body)
    assert conn.still_usable()


@pytest.mark.parametrize("tag", [ETAG, "*"], ids=["etag", "star"])
def test_if_match_that_holds_serves_the_range(conn, tag):
    response, body = conn.ask({"If-Match": tag, "Range": "bytes=10-19"})
    assert (response.status, body) == (206, CONTENT[10:20])


def test_if_match_compares_strongly(conn):
    response, _body = conn.ask({"If-Match": f"W/{ETAG}"})
    assert response.status == 412


def test_if_unmodified_since_before_the_upload_is_412(conn, paper):
    before = paper.versions[0].uploaded_at.timestamp() - 3600
    response, _body = conn.ask({"If-Unmodified-Since": http_date(before)})
    assert response.status == 412
    later = conn.ask({"If-Unmodified-Since": http_date(before + 7200), "Range": "bytes=0-1"})
    assert (later[0].status, later[1]) == (206, CONTENT[:2])


def test_if_modified_since_gives_way_to_if_none_match(conn, paper):
    later = http_date(paper.versions[0].uploaded_at.timestamp() + 3600)
    response, body = conn.ask({"If-Modified-Since": later, "Range": "bytes=0-9"})
    _assert_not_modified(response, body)
    response, body = conn.ask({"If-Modified-Since": later, "If-None-Match": '"other"'})
    assert (response.status, body) == (200, CONTENT)


@pytest.mark.parametrize(
    "validator",
    ['"stale"', f"W/{ETAG}", "Mon, 09 Nov 2017 09:00:00 GMT"],
    ids=["other-etag", "weak-etag", "old-date"],
)
def test_a_stale_if_range_sends_the_whole_file(conn, validator):
    response, body = conn.ask({"If-Range": validator, "Range": "bytes=0-1023"})
    assert (response.status, body) == (200, CONTENT)
    assert int(response.getheader("Content-Length")) == SIZE
    assert response.getheader("Content-Range") is None
    assert conn.still_usable()


def test_a_current_if_range_sends_the_range(conn, paper):
    modified = http_date(paper.versions[0].uploaded_at)
    for validator in (ETAG, modified):
        response, body = conn.ask({"If-Range": validator, "Range": "bytes=100-199"})
        assert (response.status, body) == (206, CONTENT[100:200])


@pytest.mark.parametrize("spec", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=9-3"])
def test_an_unsatisfiable_range_is_416_with_the_size(conn, spec):
    response, body = conn.ask({"Range": spec})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{SIZE}"
    assert int(response.getheader("Content-Length")) == len(body)
    assert conn.still_usable()


@pytest.mark.parametrize(
    ("spec", "start", "stop"),
    [
        ("bytes=0-1023", 0, 1024),
        ("bytes=1000-", 1000, SIZE),
        ("bytes=-5", SIZE - 5, SIZE),
        ("bytes=-999999", 0, SIZE),  # a suffix longer than the file: all of it
        (f"bytes=10000-{SIZE + 500}", 10000, SIZE),  # the end is clipped
    ],
)
def test_ranges_are_206_with_exactly_those_bytes(conn, spec, start, stop):
    response, body = conn.ask({"Range": spec})
    assert response.status == 206
    assert body == CONTENT[start:stop]
    assert response.getheader("Content-Range") == f"bytes {start}-{stop - 1}/{SIZE}"
    assert int(response.getheader("Content-Length")) == stop - start
    assert response.getheader("ETag") == ETAG
    assert conn.still_usable()


@pytest.mark.parametrize("spec", ["bytes=0-9,20-29", "items=0-9"])
def test_several_ranges_or_another_unit_get_the_whole_file(conn, spec):
    response, body = conn.ask({"Range": spec})
    assert (response.status, body) == (200, CONTENT)
    assert conn.still_usable()


def test_head_has_the_headers_of_get_and_no_body(conn):
    got, _ = conn.ask()
    head, body = conn.ask(method="HEAD")
    assert (head.status, body) == (200, b"")
    for name in ("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges"):
        assert head.getheader(name) == got.getheader(name), name
    assert head.getheader("Content-Disposition") == got.getheader("Content-Disposition")
    assert conn.still_usable()


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
@pytest.mark.parametrize("tag", [ETAG, "*"], ids=["etag", "star"])
def test_curl_conditional_range_download_is_304(server, download, tag):
    path, credentials = download
    command = ["curl", "--http1.1", "-sS", "--max-time", "10", "-o", "/dev/null"]
    command += ["-w", "%{http_code} %{size_download}", "-r", "0-1023"]
    for name, value in {"Host": HOST, "If-None-Match": tag, **credentials}.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, f"http://127.0.0.1:{server}{path}"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr  # 18 would be a transfer cut short
    assert done.stdout == "304 0"
