"""The main pages are valid HTML, as the Nu HTML checker (the W3C validator's
engine, the npm package vnu-jar pinned in tests/e2e/package.json, run with
Debian's Java) sees them: not one error.

The pages are taken as the server sends them (before any script runs),
logged in as the roles that see them, and checked in one run of the checker
(a JVM is slow to start). A page known to be invalid goes with them, so a
checker that reports nothing at all cannot pass the test.

Without Java or the checker (``npm ci --ignore-scripts`` in tests/e2e) the
test is skipped; with ``CI=true`` it fails instead, like the other browser tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.e2e.main_pages import (
    ADMIN_PATHS,
    action_of,
    coordinator_paths,
    demo_objects,
    minutes_of,
    upcoming_meeting,
)

E2E_DIR = Path(__file__).parent
VNU_JAR = Path(
    os.environ.get(
        "KONSEY_VNU_JAR", E2E_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    )
)
JAVA = shutil.which("java")
CANARY = "known-invalid.html"
CANARY_HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
    '<body><p id="a">1</p><p id="a">2</p><div hx-post="/x"></div></body></html>'
)


@pytest.fixture(scope="module")
def nu_checker() -> list[str]:
    missing = None
    if JAVA is None:
        missing = "java is missing (apt install default-jre-headless)"
    elif not VNU_JAR.is_file():
        missing = f"{VNU_JAR} is missing (cd tests/e2e && npm ci --ignore-scripts)"
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    return [JAVA, "-Xss2m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]


def nu_errors(command: list[str], files: list[Path]) -> list[dict]:
    done = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(done.stderr)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"the Nu checker failed ({done.returncode}):\n{done.stderr}") from None
    return [m for m in messages if m.get("type") != "info"]


def _file_name(role: str, path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{role}{path}").strip("_") + ".html"


def _served(page, path: str, expected: int = 200) -> str:
    response = page.goto(path)
    assert response.status == expected, (path, response.status)
    assert response.headers["content-type"].startswith("text/html"), path
    return response.text()


def test_main_pages_are_valid_html(open_page, nu_checker, tmp_path):
    pages: dict[str, str] = {}  # file name -> the role and path it shows

    def keep(role: str, page, path: str, expected: int = 200) -> None:
        name = _file_name(role, path)
        (tmp_path / name).write_text(_served(page, path, expected), encoding="utf-8")
        pages[name] = f"{path} (as {role})"

    anonymous = open_page()
    for path in ("/login", "/password/forgot"):
        keep("anonymous", anonymous, path)
    keep("anonymous", anonymous, "/no-such-page", expected=404)

    coordinator = open_page("coordinator@secretariat.example.org")
    found = demo_objects(coordinator)
    for path in coordinator_paths(found):
        keep("coordinator", coordinator, path)
    # A meeting whose agenda can still change: the workspace with its controls.
    keep("coordinator", coordinator, upcoming_meeting(coordinator))

    # A head of delegation sees the forms that record the state's positions.
    # (e-government's minutes are circulated and wait for Kazakhstan's position)
    head = open_page("head.kz@kz.example.org")
    minutes = minutes_of(head, "/groups/e-government")
    meeting, action = minutes.removesuffix("/minutes"), action_of(head, "/groups/e-government")
    for path in ("/", meeting, minutes, f"{minutes}/print", action, "/actions/mine"):
        keep("head", head, path)

    admin = open_page("admin@secretariat.example.org")
    for path in ADMIN_PATHS:
        keep("admin", admin, path)

    (tmp_path / CANARY).write_text(CANARY_HTML, encoding="utf-8")
    errors = nu_errors(nu_checker, sorted(tmp_path.glob("*.html")))

    by_file: dict[str, list[str]] = {}
    for message in errors:
        name = Path(message.get("url", "?")).name
        line = message.get("lastLine", "?")
        extract = (message.get("extract") or "").strip().replace("\n", " ")[:160]
        by_file.setdefault(name, []).append(f"  line {line}: {message['message']}\n    {extract}")
    assert CANARY in by_file, f"the Nu checker found nothing in {CANARY}: {errors}"
    del by_file[CANARY]
    report = [f"{pages.get(name, name)}:\n" + "\n".join(lines) for name, lines in by_file.items()]
    count = sum(len(lines) for lines in by_file.values())
    assert not report, f"{count} HTML errors on {len(report)} pages:\n" + "\n".join(report)
