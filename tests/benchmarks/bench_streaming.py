"""Uploads and downloads stream: the server's memory stays flat as files grow.

Serves the app with gunicorn (one sync worker) on 127.0.0.1 on a fresh
embedded-default instance, uploads files of 10 MB, 100 MB and 1 GB through the
API (the request body streamed from disk in chunks), downloads each back
(verified against its SHA-256 by the server first), and samples the server
processes' resident memory meanwhile. One line per size:

    size  upload s  download s  peak RSS of the worker (MB)

Run: ``make bench`` or ``python tests/benchmarks/bench_streaming.py [sizes in MB]``.
Needs about 3.5 GB of free disk for the 1 GB case (the file, the request's
temporary copy, the store).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SIZES_MB = (10, 100, 1024)
CHUNK = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_file(path: Path, size: int) -> str:
    """A PDF-headed file of ``size`` bytes (accepted as a PDF; too large to be parsed)."""
    digest = hashlib.sha256()
    block = os.urandom(CHUNK)
    with path.open("wb") as fh:
        head = b"%PDF-1.4\n"
        fh.write(head)
        digest.update(head)
        left = size - len(head)
        while left > 0:
            piece = block[: min(CHUNK, left)]
            fh.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def _prepare_instance(instance: Path, env: dict) -> str:
    """Migrate a fresh SQLite instance; a group, a delegate and their API token."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    script = """
from konsey import audit, create_app
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.models import Membership, MemberState, Role, StateStatus, User, WorkingGroup
app = create_app()
with app.app_context():
    state = MemberState(code="KZ", name="Kazakhstan", names={}, status=StateStatus.MEMBER,
                        capital_timezone="Asia/Almaty")
    group = WorkingGroup(slug="bench", name="Bench")
    user = User(email="bench@kz.example.org", name="Bench", member_state=state)
    db.session.add_all([state, group, user,
                        Membership(group=group, user=user, role=Role.DELEGATE,
                                   member_state=state)])
    db.session.flush()
    _token, secret = create_token(audit.SYSTEM, user, "bench")
    db.session.commit()
    print(secret)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


class RssSampler:
    """Peak resident memory of gunicorn's worker processes, sampled every 20 ms."""

    def __init__(self, master_pid: int):
        self.master = psutil.Process(master_pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for worker in self.master.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.peak = max(self.peak, worker.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _upload(port: int, token: str, path: Path) -> dict:
    boundary = uuid.uuid4().hex
    fields = {"kind": "report", "language": "en", "visibility": "group", "title": path.name}
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body():
        yield head
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    conn.request(
        "POST",
        "/api/v1/groups/bench/documents",
        body=body(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        },
    )
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 201:
        raise AssertionError(f"upload: HTTP {response.status}: {data[:500]!r}")
    import json

    return json.loads(data)


def _download(port: int, token: str, url: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    conn.request("GET", url, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    if response.status != 200:
        raise AssertionError(f"download: HTTP {response.status}: {response.read(500)!r}")
    digest = hashlib.sha256()
    while chunk := response.read(CHUNK):
        digest.update(chunk)
    conn.close()
    return digest.hexdigest()


def run(sizes_mb=SIZES_MB) -> list[tuple[int, float, float, int]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="konsey-bench-") as tmp:
        tmp = Path(tmp)
        instance = tmp / "instance"
        env = {
            **os.environ,
            "KONSEY_INSTANCE_PATH": str(instance),
            "KONSEY_MAX_UPLOAD_BYTES": str(2 * 1024**3),
            "KONSEY_ENV": "development",
            "TMPDIR": str(tmp),  # Werkzeug spools request files here
        }
        env.pop("DATABASE_URL", None)
        token = _prepare_instance(instance, env)
        port = _free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "900",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            # Warm up (imports, connections, first-request work) with a small file.
            warm = tmp / "warm-up.pdf"
            _make_file(warm, 64 * 1024)
            _download(port, token, _upload(port, token, warm)["versions"][0]["url"])
            for size_mb in sizes_mb:
                path = tmp / f"file-{size_mb}mb.pdf"
                expected = _make_file(path, size_mb * 1024 * 1024)
                with RssSampler(server.pid) as sampler:
                    started = time.monotonic()
                    document = _upload(port, token, path)
                    uploaded = time.monotonic()
                    got = _download(port, token, document["versions"][0]["url"])
                    downloaded = time.monotonic()
                assert document["versions"][0]["sha256"] == expected
                assert got == expected, "the download is not the file uploaded"
                path.unlink()
                row = (size_mb, uploaded - started, downloaded - uploaded, sampler.peak)
                rows.append(row)
                print(
                    f"{size_mb:>5} MB  upload {row[1]:6.1f} s  download {row[2]:6.1f} s  "
                    f"peak worker RSS {row[3] / 1024**2:6.1f} MB",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return rows


def test_streaming_memory_is_flat():
    from tests.benchmarks import support

    rows = run()
    support.record(
        "streaming",
        {
            "server": "gunicorn, 1 sync worker, embedded default (SQLite, local files)",
            "sizes": [
                {"mb": mb, "upload_s": up, "download_s": down, "peak_worker_rss_mb": peak / 1024**2}
                for mb, up, down, peak in rows
            ],
        },
    )
    peaks = [peak for *_rest, peak in rows]
    # 100× more data may not cost more than a few MB more memory.
    assert max(peaks) - min(peaks) < 64 * 1024**2, peaks


if __name__ == "__main__":
    run(tuple(int(a) for a in sys.argv[1:]) or SIZES_MB)
