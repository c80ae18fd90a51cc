"""Soak test: 8 people using Konsey at once for 5 minutes, on the production stack.

gunicorn (2 workers × 4 threads) + PostgreSQL + Redis (db 12) + a real Celery
worker delivering mail to an aiosmtpd server on loopback. The demo accounts
read group homes, meetings, documents and actions, upload documents, update
action items, record positions on circulated minutes and ask for password
reset emails. At the end: no 5xx, every write that was answered with success
is in the database, and every queued email arrived exactly once.

    make soak                          # 5 minutes
    SOAK_SECONDS=60 make soak          # a quick check
    .venv/bin/python tests/benchmarks/soak.py

The helpers here (a database per run, gunicorn as a subprocess, a logged-in
browser-like session) are also used by tests/integration/test_faults.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("SOAK_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_DB_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/12")
PASSWORD = "soak-demo-password-2017"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
USERS = [
    "head.az@az.example.org",
    "head.kz@kz.example.org",
    "head.kg@kg.example.org",
    "head.tr@tr.example.org",
    "delegate.kz@kz.example.org",
    "expert.kg@kg.example.org",
    "coordinator@secretariat.example.org",
    "observer.hu@hu.example.org",
]


# Parts shared with the fault tests --------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(name: str, server: str = PG_SERVER) -> str:
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{server}/{name}"


def drop_database(name: str, server: str = PG_SERVER) -> None:
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        with contextlib.suppress(sa.exc.DBAPIError):  # it may not exist
            conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def app_env(database_url: str, instance: Path, **extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KONSEY_", "SMTP_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="soak-secret-key-not-for-production",
        KONSEY_INSTANCE_PATH=str(instance),
        KONSEY_FILES_PATH=str(instance / "files"),
        KONSEY_DEMO_PASSWORD=PASSWORD,
        PYTHONPATH=f"{ROOT / 'platform'}:{ROOT}",
    )
    env.update(extra)
    return env


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def prepare_instance(database_url: str, instance: Path, **extra: str) -> dict:
    """Migrate and load the demo data; returns the environment of the instance."""
    env = app_env(database_url, instance, **extra)
    flask(env, "db", "upgrade")
    flask(env, "konsey", "demo")
    return env


class Gunicorn:
    """The web app in its production server, as a process group we can kill."""

    def __init__(self, env: dict, workers: int = 2, threads: int = 4, log: Path | None = None):
        self.env, self.workers, self.threads, self.log = env, workers, threads, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "60",
                # Longer than any pause of a simulated person: with gunicorn's 2 s
                # default, a request sent as the server closes an idle connection
                # is reset (browsers retry those; requests does not).
                "--keep-alive",
                "30",
                "wsgi:app",
            ],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=out,
            stderr=out,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/login", timeout=2).status_code == 200:
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited at start")
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no cleanup runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class WebUser:
    """A person with a browser: a cookie jar and the form's CSRF token."""

    def __init__(self, base_url: str, email: str | None = None):
        self.base, self.email = base_url, email
        self.http = requests.Session()
        self.csrf = ""

    def get(self, path: str, **kw) -> requests.Response:
        response = self.http.get(self.base + path, allow_redirects=False, timeout=60, **kw)
        match = (
            CSRF_RE.search(response.text)
            if "html" in response.headers.get("Content-Type", "")
            else None
        )
        if match:
            self.csrf = match.group(1)
        return response

    def post(self, path: str, data: dict, **kw) -> requests.Response:
        data = {"csrf_token": self.csrf, **data}
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=60, **kw)

    def login(self, password: str = PASSWORD) -> WebUser:
        self.get("/login")
        response = self.post("/login", {"email": self.email, "password": password})
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.email} failed: {response.status_code}")
        self.get("/account")  # a token of the new session
        return self


# The soak itself ---------------------------------------------------------------------
@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    # What was answered with success, to be found in the database afterwards.
    uploads: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    positions: dict[tuple[int, str], str] = field(default_factory=dict)
    resets: int = 0

    def record(self, kind: str, started: float, response: requests.Response) -> None:
        with self.lock:
            self.timings.append(time.perf_counter() - started)
            self.statuses[response.status_code] += 1
            self.kinds[kind] += 1
            if response.status_code >= 500:  # counted, and listed at the end
                self.server_errors.append(f"{kind} {response.request.url} {response.status_code}")


def world_of(engine) -> dict:
    """Targets for the writes, read from the demo data."""
    with engine.connect() as conn:
        groups = dict(
            conn.execute(
                sa.text(
                    "SELECT u.email, string_agg(g.slug, ' ') FROM membership m "
                    "JOIN user_account u ON u.id = m.user_id "
                    "JOIN working_group g ON g.id = m.group_id GROUP BY u.email"
                )
            ).all()
        )
        actions = conn.execute(
            sa.text(
                "SELECT a.id, g.slug, s.code FROM action_item a "
                "JOIN working_group g ON g.id = a.group_id "
                "JOIN member_state s ON s.id = a.owner_state_id "
                "WHERE a.status IN ('open', 'in_progress')"
            )
        ).all()
        minutes = conn.execute(
            sa.text(
                "SELECT m.id, m.meeting_id, g.slug, max(v.number) FROM minutes m "
                "JOIN meeting mt ON mt.id = m.meeting_id "
                "JOIN working_group g ON g.id = mt.group_id "
                "JOIN minutes_version v ON v.minutes_id = m.id "
                "WHERE m.status = 'circulated' GROUP BY m.id, m.meeting_id, g.slug"
            )
        ).all()
    return {
        "groups": {email: slugs.split() for email, slugs in groups.items()},
        "actions": actions,
        "minutes": minutes,
    }


def pdf(text: str) -> bytes:
    from konsey.documents.samples import make_pdf

    return make_pdf([text, "Uploaded by the soak test."])


def simulate(user: WebUser, world: dict, stats: Stats, until: float, seed: int) -> None:
    """One person's session; a request that gets no answer at all is an error."""
    rng = random.Random(seed)
    while time.monotonic() < until:
        try:
            _act(user, world, stats, rng)
        except requests.RequestException as exc:
            with stats.lock:
                stats.statuses["no answer"] += 1
                stats.server_errors.append(f"{user.email}: {exc!r}")


def _act(user: WebUser, world: dict, stats: Stats, rng: random.Random) -> None:
    """One request, chosen at random among what this person may do."""
    slugs = world["groups"].get(user.email, [])
    state = user.email.split("@")[1].split(".")[0].upper()
    my_actions = [a for a in world["actions"] if a.code == state and a.slug in slugs]
    my_minutes = [m for m in world["minutes"] if m.slug in slugs] if "head." in user.email else []
    writer = user.email.split(".")[0] in ("head", "delegate", "expert")
    slug = rng.choice(slugs)
    roll = rng.random()
    started = time.perf_counter()
    tag = uuid.uuid4().hex[:12]
    if roll < 0.08 and writer:
        title = f"Soak upload {tag}"
        response = user.http.post(
            f"{user.base}/groups/{slug}/documents/upload",
            data={
                "csrf_token": user.csrf,
                "title": title,
                "kind": "working_paper",
                "language": "en",
                "visibility": "group",
                "agenda_item": "",
            },
            files={"file": (f"soak-{tag}.pdf", pdf(title), "application/pdf")},
            allow_redirects=False,
            timeout=60,
        )
        stats.record("upload", started, response)
        if response.status_code == 302:
            with stats.lock:
                stats.uploads.append(title)
    elif roll < 0.2 and my_actions:
        action = rng.choice(my_actions)
        comment = f"Soak progress note {tag}"
        response = user.post(
            f"/groups/{action.slug}/actions/{action.id}/update",
            {"status": "in_progress", "comment": comment, "reference": "", "document": "0"},
        )
        stats.record("action update", started, response)
        if response.status_code == 302:
            with stats.lock:
                stats.comments.append(comment)
    elif roll < 0.3 and my_minutes:
        minutes = rng.choice(my_minutes)
        text = f"Soak reservation {tag}"
        response = user.post(
            f"/meetings/{minutes.meeting_id}/minutes/positions",
            {"version": str(minutes.max), "position": "reservation", "reservation_text": text},
        )
        stats.record("minutes position", started, response)
        if response.status_code == 302:
            with stats.lock:
                stats.positions[(minutes.id, state)] = text
    elif roll < 0.33:
        visitor = WebUser(user.base)
        visitor.get("/password/forgot")
        response = visitor.post("/password/forgot", {"email": user.email})
        stats.record("password reset", started, response)
        if response.status_code == 302:
            with stats.lock:
                stats.resets += 1
    else:
        page = rng.choice(["", "/meetings", "/documents", "/actions"])
        response = user.get(f"/groups/{slug}{page}")
        stats.record("read", started, response)


def check_writes(engine, stats: Stats) -> list[str]:
    lost = []
    with engine.connect() as conn:
        titles = set(conn.scalars(sa.text("SELECT title FROM document")))
        lost += [f"upload {t}" for t in stats.uploads if t not in titles]
        comments = set(conn.scalars(sa.text("SELECT comment FROM action_update")))
        lost += [f"action comment {c}" for c in stats.comments if c not in comments]
        for (minutes_id, state), text in stats.positions.items():
            found = conn.scalar(
                sa.text(
                    "SELECT p.text FROM minutes_position p "
                    "JOIN minutes_version v ON v.id = p.version_id "
                    "JOIN member_state s ON s.id = p.member_state_id "
                    "WHERE v.minutes_id = :m AND s.code = :s ORDER BY v.number DESC LIMIT 1"
                ),
                {"m": minutes_id, "s": state},
            )
            if found != text:
                lost.append(f"position of {state} on minutes {minutes_id}")
        missing_blobs = conn.scalar(
            sa.text(
                "SELECT count(*) FROM document_version WHERE sha256 NOT IN "
                "(SELECT sha256 FROM stored_file)"
            )
        )
        if missing_blobs:
            lost.append(f"{missing_blobs} document versions without a stored file")
    return lost


class Mailbox:
    """aiosmtpd on loopback, counting what arrives by Message-ID."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: Counter = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        import email

        message = email.message_from_bytes(envelope.content)
        self.received[message["Message-ID"]] += len(envelope.rcpt_tos)
        return "250 OK"


def check_mail(engine, mailbox: Mailbox, timeout: float = 120) -> tuple[int, list[str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.scalar(
                sa.text("SELECT count(*) FROM outbox_message WHERE state <> 'sent'")
            )
        if not waiting:
            break
        time.sleep(1)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, created_at, state FROM outbox_message")).all()
    problems = [f"outbox row {r.id} is {r.state}" for r in rows if r.state != "sent"]
    expected = {f"<konsey-outbox-{r.id}-{r.created_at:%Y%m%d%H%M%S}@konsey>" for r in rows}
    got = set(mailbox.received)
    problems += [f"{m} never arrived" for m in sorted(expected - got)]
    problems += [f"{m} arrived but is no outbox row" for m in sorted(got - expected)]
    problems += [f"{m} arrived {n} times" for m, n in mailbox.received.items() if n > 1]
    return len(rows), problems


def worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "workers",
            "worker",
            "--beat",
            "--concurrency=2",
            "--loglevel=WARNING",
            "--schedule",
            str(log.parent / "beat-schedule"),
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "300"))
    name = f"konsey_soak_{os.getpid()}"
    instance = Path(tempfile.mkdtemp(prefix="konsey-soak-"))
    import redis

    redis.Redis.from_url(REDIS_DB_URL).flushdb()
    mailbox = Mailbox()
    mailbox.controller.start()
    database_url = create_database(name)
    engine = sa.create_engine(database_url)
    server = celery = None
    try:
        env = prepare_instance(
            database_url,
            instance,
            REDIS_URL=REDIS_DB_URL,
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(mailbox.port),
            KONSEY_MAIL_DELIVERY="worker",
        )
        celery = worker(env, instance / "worker.log")
        server = Gunicorn(env, log=instance / "gunicorn.log").start()
        world = world_of(engine)
        users = [WebUser(server.url, email).login() for email in USERS]
        stats = Stats()
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=simulate, args=(u, world, stats, until, i))
            for i, u in enumerate(users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lost = check_writes(engine, stats)
        emails, mail_problems = check_mail(engine, mailbox)
    finally:
        if server:
            server.stop()
        if celery and celery.poll() is None:
            os.killpg(celery.pid, signal.SIGTERM)
            celery.wait(30)
        mailbox.controller.stop()
        engine.dispose()
        drop_database(name)
        redis.Redis.from_url(REDIS_DB_URL).flushdb()
    timings = sorted(stats.timings)
    total = len(timings)
    p50 = statistics.median(timings) * 1000 if timings else 0
    p99 = timings[min(total - 1, int(total * 0.99))] * 1000 if timings else 0
    errors = sum(n for s, n in stats.statuses.items() if s == "no answer" or s >= 500)
    client_errors = sum(
        n for s, n in stats.statuses.items() if isinstance(s, int) and 400 <= s < 500
    )
    writes = len(stats.uploads) + len(stats.comments) + stats.kinds["minutes position"]
    print(
        f"soak: {seconds:.0f} s, {len(USERS)} users, {total} requests "
        f"({total / seconds:.1f}/s; {dict(stats.kinds)}), 5xx or no answer={errors}, "
        f"4xx={client_errors}, "
        f"p50={p50:.0f} ms, p99={p99:.0f} ms, successful writes={writes}, lost writes={len(lost)}, "
        f"emails={emails} (password resets asked: {stats.resets}), "
        f"email problems={len(mail_problems)}"
    )
    for line in (stats.server_errors + lost + mail_problems)[:20]:
        print("  " + line)
    failed = bool(errors or lost or mail_problems)
    if failed:
        print(f"  logs: {instance}")
    else:
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
