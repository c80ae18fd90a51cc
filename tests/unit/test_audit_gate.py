"""`make audit`, the dependency gate that CI runs: it fails on a locked version
with a known vulnerability, and it fails (or, with AUDIT_UNREACHABLE=warn, warns)
when PyPI's vulnerability data cannot be reached instead of passing quietly."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
# Jinja2 2.10: sandbox escape through str.format_map, fixed in 2.10.1.
VULNERABLE = "jinja2==2.10"
VULNERABILITY_IDS = {"CVE-2019-10906", "PYSEC-2019-217", "GHSA-462w-v97r-4m45"}

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not PIP_AUDIT.exists(), reason="needs make and .venv"
)


def make_audit(lock: Path, **env: str) -> subprocess.CompletedProcess:
    # -o install: the venv is there; the gate itself is what is tested.
    return subprocess.run(
        ["make", "-s", "-o", "install", "audit", f"LOCK={lock}"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "AUDIT_UNREACHABLE"} | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def lock_file(tmp_path: Path, *pins: str) -> Path:
    path = tmp_path / "requirements.lock"
    path.write_text("".join(f"{pin}\n" for pin in pins))
    return path


def service_answers(tmp_path: Path) -> bool:
    result = subprocess.run(
        [PIP_AUDIT, "--vulnerability-service", "pypi", "--no-deps", "--disable-pip",
         "--progress-spinner", "off", "--format", "json", "-r", lock_file(tmp_path, VULNERABLE)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return '"fix_versions"' in result.stdout


@pytest.fixture
def vulnerability_service(tmp_path):
    if service_answers(tmp_path):
        return
    reason = "PyPI's vulnerability data is unreachable from here"
    required = os.environ.get("CI") and os.environ.get("AUDIT_UNREACHABLE") != "warn"
    if required:
        pytest.fail(f"{reason}; CI needs it (or AUDIT_UNREACHABLE=warn)")
    pytest.skip(reason)


def test_a_locked_version_with_a_known_vulnerability_fails_the_gate(
    tmp_path, vulnerability_service
):
    result = make_audit(lock_file(tmp_path, VULNERABLE, "iniconfig==2.3.1"))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "jinja2" in output
    assert VULNERABILITY_IDS & set(output.replace(",", " ").split()), output


def test_a_lock_without_known_vulnerabilities_passes(tmp_path, vulnerability_service):
    result = make_audit(lock_file(tmp_path, "iniconfig==2.3.1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr


def _dead_proxy() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    return f"http://127.0.0.1:{port}"


def test_an_unreachable_service_fails_the_gate_or_warns_when_allowed(tmp_path):
    proxy = _dead_proxy()
    offline = {
        "HTTPS_PROXY": proxy,
        "https_proxy": proxy,
        "NO_PROXY": "",
        "no_proxy": "",
        # An empty cache, so no earlier answer stands in for the service.
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    lock = lock_file(tmp_path, VULNERABLE)
    result = make_audit(lock, **offline)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "no answer from PyPI's vulnerability data" in result.stdout
    warned = make_audit(lock, AUDIT_UNREACHABLE="warn", **offline)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert "WARNING: the dependencies were NOT audited" in warned.stdout
