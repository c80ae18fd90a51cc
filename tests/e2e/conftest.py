"""Browser tests: Debian's Chromium, driven by Playwright, against the app
served by gunicorn on loopback with a Celery worker, PostgreSQL, Redis and
an SMTP server (see live_server.py).

Without PostgreSQL, Redis or /usr/bin/chromium they are skipped; with
``CI=true`` a missing piece fails the run instead.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL, IN_CI, _port_open
from tests.e2e import live_server, ui

CHROMIUM = os.environ.get("KONSEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_DIR = Path(__file__).parent
SCREENSHOTS = Path(
    os.environ.get("KONSEY_E2E_SCREENSHOTS")
    or E2E_DIR / "screenshots" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
)
# Server-side failures that the browser might not show (a swallowed 500).
SERVER_ERROR_RE = re.compile(r"Traceback|unhandled error|\bERROR\b")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.is_dir():
        count = len(list(SCREENSHOTS.glob("*.png")))
        terminalreporter.write_line(f"konsey e2e: {count} screenshots in {SCREENSHOTS}")


def _missing() -> str | None:
    if DATABASE_URL is None:
        return "the browser tests need PostgreSQL, and this run has none (SQLite)"
    host, port = re.match(r"redis://([^:/]+):(\d+)", live_server.REDIS_URL).groups()
    if not _port_open(host, int(port)):
        return f"Redis is not reachable at {live_server.REDIS_URL}"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt install chromium)"
    return None


# Package scope: the server and its Celery worker stop when the browser tests
# end, before the other tests (whose worker tests use Redis databases of their own).
@pytest.fixture(scope="package")
def live(tmp_path_factory):
    missing = _missing()
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    database_url = live_server.create_database(DATABASE_URL)
    server = None
    try:
        server = live_server.start(database_url, tmp_path_factory.mktemp("e2e"))
        yield server
    finally:
        if server is not None:
            live_server.stop(server)
        live_server.drop_database(database_url)


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail a journey during which the web server or the worker logged an error."""
    if "live" not in request.fixturenames:
        yield
        return
    logs = [request.getfixturevalue("live").logs / name for name in ("gunicorn.log", "celery.log")]
    starts = [log.stat().st_size for log in logs]
    yield
    for log, start in zip(logs, starts, strict=True):
        with log.open("rb") as fh:
            fh.seek(start)
            new = fh.read().decode(errors="replace")
        assert not SERVER_ERROR_RE.search(new), f"{log.name} shows an error:\n{new[-4000:]}"


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # The machine may be busy (CI runners, parallel jobs): wait longer than
    # Playwright's 5 s for what a journey expects to see.
    expect.set_options(timeout=15_000)

    if _missing():
        pytest.skip(_missing())
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(live, browser, request):
    """``open_page(email=None, locale="en-US")``: a new browser (context) with
    one tab, logged in as ``email`` when given."""
    contexts = []
    shots = ui.Shots(SCREENSHOTS, request.node.name)  # numbered across the test's pages

    def make(email: str | None = None, *, locale: str = "en-US", **context_args):
        context = browser.new_context(
            base_url=live.url, viewport=ui.DESKTOP, locale=locale, **context_args
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.shots = shots
        if email:
            ui.login(page, email)
        return page

    yield make
    for n, context in enumerate(contexts):
        if getattr(request.node, "e2e_failed", False):
            # What each browser showed when the journey failed.
            for m, page in enumerate(context.pages):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                name = f"FAILED-{request.node.name}-{n}{m}.png"
                page.screenshot(path=SCREENSHOTS / name, full_page=True)
        context.close()
