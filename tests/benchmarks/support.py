"""Shared pieces of the benchmarks: the generated dataset, gunicorn, wrk, results.

Knobs (environment variables):

    BENCH_SCALE      groups generated with full per-group sizes (default 3)
    BENCH_DURATION   seconds of load per page (default 20)
    BENCH_CONNECTIONS  concurrent connections of wrk (default 8)
    BENCH_WRK_THREADS  wrk threads (default 2)
    BENCH_WORKERS    gunicorn workers (default: the number of CPUs)
    BENCH_WORKER_CLASS  gthread (default) or sync
    BENCH_THREADS    threads per gthread worker (default 4)
    BENCH_REDIS_URL  Redis for the served app (default redis://127.0.0.1:6379/11)
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def knob(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


SCALE = knob("BENCH_SCALE", 3)
DURATION = knob("BENCH_DURATION", 20)
CONNECTIONS = knob("BENCH_CONNECTIONS", 8)
WRK_THREADS = knob("BENCH_WRK_THREADS", 2)
WORKERS = knob("BENCH_WORKERS", os.cpu_count() or 1)
# gthread: while one request waits for PostgreSQL, another thread of the same
# worker renders; measured here 1.5-3x the pages per second of sync workers
# (whose worker sits idle during each of a page's ~10 round trips).
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
THREADS = knob("BENCH_THREADS", 4)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


def machine() -> dict:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def record(section: str, data) -> None:
    """Merge one scenario's figures into results/latest.json."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    current = {}
    if RESULTS.exists():
        with contextlib.suppress(ValueError):
            current = json.loads(RESULTS.read_text())
    current["machine"] = machine()
    current[section] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **data}
    RESULTS.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


@contextlib.contextmanager
def gunicorn(app: str, env: dict, workers: int = WORKERS):
    """gunicorn as in production: one worker per CPU (gthread, 4 threads each), on loopback."""
    port = free_port()
    threads = ["--threads", str(THREADS)] if WORKER_CLASS == "gthread" else []
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            WORKER_CLASS,
            *threads,
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, server)
        yield port, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _cookies(response, jar: dict) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()


def login(port: int, email: str, password: str) -> str:
    """A real POST /login (with its CSRF token); the session cookie for wrk."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = "&".join(
        f"{k}={v}"
        for k, v in {
            "csrf_token": token,
            "email": email.replace("@", "%40"),
            "password": password,
        }.items()
    )
    conn.request(
        "POST",
        "/login",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        raise AssertionError(f"login as {email}: HTTP {response.status}")
    _cookies(response, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: sudo apt-get install -y wrk")
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(port: int, path: str, cookie: str = "") -> dict:
    """rps, p50 and p99 (ms) of ``path`` under load; every answer must be 2xx/3xx."""
    command = [
        wrk_path(),
        f"-t{min(WRK_THREADS, CONNECTIONS)}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }
