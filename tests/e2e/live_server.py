"""The app as it runs in production, on loopback, for the browser tests.

gunicorn (two workers) and a Celery worker are real subprocesses sharing a
fresh PostgreSQL database, Redis db 13 and an aiosmtpd server that records
every message delivered; the database is migrated and the demo loaded with
the same commands an operator types.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "konsey-demo-2017"
# Only this Redis database: other test runs use other numbers.
REDIS_URL = os.environ.get("KONSEY_E2E_REDIS_URL", "redis://127.0.0.1:6379/9")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingSMTP:
    """Keeps every message the worker delivers, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait_for(self, address: str, timeout: float = 30.0):
        """The newest message to ``address``, waiting for the worker to send it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rcpts, message in reversed(self.messages):
                if address in rcpts:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no email to {address} within {timeout} s")

    def forget(self) -> None:
        """Drop what was received: a journey's mail is not the next one's (notices
        of one kind are counted per recipient, see ``notices``)."""
        self.messages.clear()

    def notices(self, kind: str) -> dict[str, object]:
        """Recipient → the notice of this kind (``notice:<kind>:…`` dedupe key)."""
        found = {}
        for rcpts, message in self.messages:
            if (message["X-Konsey-Dedupe"] or "").startswith(f"notice:{kind}:"):
                for address in rcpts:
                    assert address not in found, f"{address} got {kind} twice"
                    found[address] = message
        return found

    def wait_for_notices(self, kind: str, addresses, timeout: float = 60.0) -> dict:
        """Wait until each address got its notice of ``kind``; every notice of
        that kind sent so far, by recipient."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.notices(kind)
            if set(addresses) <= set(found):
                return found
            time.sleep(0.2)
        raise AssertionError(f"{kind}: {sorted(self.notices(kind))}, wanted {sorted(addresses)}")


@dataclass
class LiveServer:
    url: str
    smtp: RecordingSMTP
    logs: Path
    controller: Controller | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)


def _admin_engine(database_url: str) -> sa.Engine:
    admin_url = sa.engine.make_url(database_url).set(database="postgres")
    return sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")


def create_database(database_url: str) -> str:
    """A new database named konsey_e2e_<pid> on the server of ``database_url``."""
    name = f"konsey_e2e_{os.getpid()}"
    engine = _admin_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        engine.dispose()
    url = sa.engine.make_url(database_url).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    engine = _admin_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _environment(database_url: str, instance: Path, port: int, smtp_port: int) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KONSEY_", "SMTP_", "TEST_DATABASE"))
    }
    env.update(
        KONSEY_ENV="development",  # plain http on loopback: cookies without Secure
        SECRET_KEY=secrets.token_urlsafe(32),
        KONSEY_INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        KONSEY_MAIL_DELIVERY="worker",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_TIMEOUT="5",
        KONSEY_BASE_URL=f"http://127.0.0.1:{port}",
        KONSEY_DEMO_PASSWORD=DEMO_PASSWORD,
        PYTHONUNBUFFERED="1",
    )
    return env


def _everyone_reads_english(database_url: str) -> None:
    """The demo's people read Turkish or Russian; the journeys are written in
    English and switch language through the UI where that is the point
    (journey 6), so they start from English instead of switching every time."""
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE user_account SET locale = 'en'"))
    finally:
        engine.dispose()


def _run(args: list[str], env: dict, log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=out, timeout=300)
    if done.returncode:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(args[1:])} failed ({done.returncode}):\n{tail}")


def _wait_healthy(url: str, processes: list[subprocess.Popen], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in processes:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not become healthy in {timeout} s")


def start(database_url: str, workdir: Path) -> LiveServer:
    """Migrate, load the demo, then start the web server, the worker and SMTP."""
    instance = workdir / "instance"
    logs = workdir / "logs"
    instance.mkdir(parents=True)
    logs.mkdir()
    port, smtp_port = free_port(), free_port()
    env = _environment(database_url, instance, port, smtp_port)
    _flush_redis()
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    _run([*flask, "db", "upgrade"], env, logs / "setup.log")
    _run([*flask, "konsey", "demo"], env, logs / "setup.log")
    _everyone_reads_english(database_url)

    handler = RecordingSMTP()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = LiveServer(
        url=f"http://127.0.0.1:{port}", smtp=handler, logs=logs, controller=controller
    )
    server.processes.append(_spawn(
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         # The control socket's default path is shared by every gunicorn of the user.
         "--no-control-socket", "wsgi:app"],
        env, logs / "gunicorn.log",
    ))  # fmt: skip
    server.processes.append(_spawn(
        [str(BIN / "celery"), "-A", "workers", "worker", "--pool", "threads",
         "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        env, logs / "celery.log",
    ))  # fmt: skip
    try:
        _wait_healthy(server.url, server.processes)
    except Exception:
        stop(server)
        raise
    return server


def _spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    out = log.open("ab")
    # Its own process group, so stopping it also stops the workers it forked.
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)


def stop(server: LiveServer) -> None:
    for proc in server.processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in server.processes:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    if server.controller is not None:
        server.controller.stop()
