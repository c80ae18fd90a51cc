"""`make run PORT=…` mails links to the port it serves (KONSEY_BASE_URL)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE = """#!/bin/sh
echo "$(basename "$0") $* :: $KONSEY_BASE_URL" >> "{log}"
"""


def _run_make(tmp_path: Path, *args: str, env_extra: dict | None = None) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name in ("flask", "celery"):
        tool = bin_dir / name
        tool.write_text(FAKE.format(log=log))
        tool.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "KONSEY_BASE_URL"}
    env.update(env_extra or {})
    # -o install: the virtualenv is not this test's business; the recipes of
    # `db`, `demo` and `run` run with stand-ins for flask and celery.
    subprocess.run(
        ["make", "-s", "-o", "install", "run", f"BIN={bin_dir}", f"FLASK={bin_dir / 'flask'}",
         f"KONSEY_INSTANCE_PATH={tmp_path / 'instance'}", *args],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return log.read_text().splitlines()


def test_make_run_points_every_link_at_the_port_it_serves(tmp_path):
    calls = _run_make(tmp_path, "HOST=127.0.0.1", "PORT=5203")
    served = [c for c in calls if c.startswith("flask run")]
    assert served and "--port 5203" in served[0]
    # The demo's mails, the reminders, the worker and the web server all agree.
    assert {c.split(" :: ")[1] for c in calls} == {"http://127.0.0.1:5203"}
    assert any(c.startswith("flask konsey demo") for c in calls)


def test_a_configured_base_url_is_kept(tmp_path):
    calls = _run_make(
        tmp_path, "PORT=5203", env_extra={"KONSEY_BASE_URL": "https://konsey.example.org"}
    )
    assert {c.split(" :: ")[1] for c in calls} == {"https://konsey.example.org"}
