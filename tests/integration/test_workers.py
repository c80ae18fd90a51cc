"""Email delivery by a real Celery worker over a real Redis to a real SMTP server.

Nothing is lost (a message is a row before any worker sees it; if Redis is
down, rows wait), nothing is doubled (rows are locked and re-checked), and
failures retry with backoff and end visibly.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import select

from konsey.extensions import db
from konsey.mail.dispatch import dispatch_outbox
from konsey.mail.outbox import queue_email
from konsey.models import OutboxMessage, OutboxState
from tests import factories as f
from tests.conftest import DATABASE_URL, IN_CI, REDIS_URL

pytestmark = pytest.mark.redis
if (REDIS_URL is None or DATABASE_URL is None) and not IN_CI:
    # A worker thread and the test share one database; SQLite's single writer
    # makes that a test of locking, not of delivery. CI always has both.
    pytest.skip("needs Redis and PostgreSQL", allow_module_level=True)

WORKER_REDIS_DB = 14


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingSMTP:
    """An SMTP server's handler that records what it accepts and can refuse."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse_next = 0  # answer 451 (try later) this many times
        self.unknown: set[str] = set()  # addresses answered with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Try again later"
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> int:
        return sum(address in rcpts for rcpts, _ in self.received)


@pytest.fixture
def smtp():
    handler = RecordingSMTP()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def _worker_app(app, broker_url: str, smtp_port: int):
    import workers
    from konsey import create_app

    worker_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": app.instance_path,
            "REDIS_URL": broker_url,
            "MAIL_DELIVERY": "worker",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp_port,
            "SMTP_TIMEOUT": 5,
            "MAIL_RETRY_BASE_SECONDS": 1,
            "MAIL_MAX_ATTEMPTS": 4,
            "SERVER_NAME": "konsey.test",
            "CELERY": {"broker_connection_timeout": 2, "broker_connection_max_retries": None},
        }
    )
    workers.configure(worker_app.extensions["celery"])
    return worker_app


@contextmanager
def running_worker(worker_app, concurrency: int = 2):
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        worker_app.extensions["celery"],
        pool="threads",
        concurrency=concurrency,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=15,
    ):
        yield


def _wait(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _state(worker_app, message_id):
    with worker_app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        db.session.expire_all()
        return row.state, row.attempts, row.last_error


def _queue(worker_app, email, subject="Hello"):
    with worker_app.app_context():
        user = db.session.scalar(select(f.User).where(f.User.email == email)) or f.make_user(email)
        row = queue_email(user, "invitation", subject, token="x")
        db.session.commit()
        return row.id


@pytest.fixture
def shared_redis():
    url = REDIS_URL.rsplit("/", 1)[0] + f"/{WORKER_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


def test_worker_delivers_a_message_once(app, smtp, shared_redis):
    port, server = smtp
    worker_app = _worker_app(app, shared_redis, port)
    message_id = _queue(worker_app, "aigerim@kz.example.org")
    with running_worker(worker_app):
        with worker_app.app_context():
            dispatch_outbox()
            dispatch_outbox()  # a second wake-up call must not send it twice
        _wait(lambda: server.to("aigerim@kz.example.org") == 1, what="delivery")
        time.sleep(1)
    assert server.to("aigerim@kz.example.org") == 1
    assert _state(worker_app, message_id)[0] == OutboxState.SENT


def test_smtp_refusing_for_a_while_is_retried_with_backoff_then_delivered_once(
    app, smtp, shared_redis
):
    port, server = smtp
    server.refuse_next = 2
    worker_app = _worker_app(app, shared_redis, port)
    message_id = _queue(worker_app, "bakyt@kg.example.org")
    started = time.monotonic()
    with running_worker(worker_app):
        with worker_app.app_context():
            dispatch_outbox()
        _wait(lambda: server.to("bakyt@kg.example.org") == 1, what="delivery after retries")
        time.sleep(1.5)
    state, attempts, error = _state(worker_app, message_id)
    assert state == OutboxState.SENT
    assert attempts == 3
    assert error is None
    assert server.to("bakyt@kg.example.org") == 1
    # Backoff: 1 s then 2 s between the three attempts.
    assert time.monotonic() - started >= 3


def test_refused_address_fails_visibly_and_others_still_go_out(app, smtp, shared_redis):
    port, server = smtp
    server.unknown.add("nobody@broken.example.org")
    worker_app = _worker_app(app, shared_redis, port)
    bad = _queue(worker_app, "nobody@broken.example.org")
    good = _queue(worker_app, "emre@tr.example.org")
    with running_worker(worker_app):
        with worker_app.app_context():
            dispatch_outbox()
        _wait(lambda: _state(worker_app, bad)[0] == OutboxState.FAILED, what="failure")
        _wait(lambda: server.to("emre@tr.example.org") == 1, what="the good one")
    _state_now, attempts, error = _state(worker_app, bad)
    assert attempts == 1  # a 550 will not get better: no pointless retries
    assert "550" in error or "No such user" in error
    assert _state(worker_app, good)[0] == OutboxState.SENT


def test_admin_retries_a_failed_message(app, smtp, shared_redis, make_client):
    from tests.conftest import Client

    port, server = smtp
    server.unknown.add("typo@kz.example.org")
    worker_app = _worker_app(app, shared_redis, port)
    message_id = _queue(worker_app, "typo@kz.example.org")
    with worker_app.app_context():
        f.make_user("it@secretariat.example.org", is_admin=True)
    with running_worker(worker_app):
        with worker_app.app_context():
            dispatch_outbox()
        _wait(lambda: _state(worker_app, message_id)[0] == OutboxState.FAILED, what="failure")
        admin = Client(worker_app)
        admin.login("it@secretariat.example.org")
        page = admin.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
        assert "550" in page
        server.unknown.clear()  # the address was fixed on the mail server
        r = admin.post(f"/admin/outbox/{message_id}/retry")
        assert r.status_code == 302
        _wait(lambda: server.to("typo@kz.example.org") == 1, what="redelivery")
        again = admin.post(f"/admin/outbox/{message_id}/retry")
        assert again.status_code == 409  # a sent message is not retried
    assert _state(worker_app, message_id)[0] == OutboxState.SENT


def test_two_sweeps_at_once_send_each_message_once(app, smtp, shared_redis):
    """Beat firing the same schedule twice (or two beats) doubles nothing."""
    port, server = smtp
    worker_app = _worker_app(app, shared_redis, port)
    addresses = [f"person{i}@az.example.org" for i in range(12)]
    for address in addresses:
        _queue(worker_app, address)
    with running_worker(worker_app, concurrency=3):
        with worker_app.app_context():
            for _ in range(3):
                dispatch_outbox()
        _wait(lambda: len(server.received) >= len(addresses), what="all deliveries")
        time.sleep(1.5)
    assert sorted(r[0][0] for r in server.received) == sorted(addresses)


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, so it can be stopped and started."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for this test")
    port = _free_port()

    def start():
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait(lambda: _pings(port), timeout=10, what="redis start")
        return proc

    state = {"proc": start()}

    def stop():
        state["proc"].terminate()
        state["proc"].wait(10)

    def restart():
        state["proc"] = start()

    yield f"redis://127.0.0.1:{port}/0", stop, restart
    if state["proc"].poll() is None:
        stop()


def _pings(port) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.2).ping()
    except redis.RedisError:
        return False


def test_redis_down_loses_nothing_and_delivery_catches_up(app, smtp, own_redis):
    from tests.conftest import Client

    port, server = smtp
    url, stop_redis, start_redis = own_redis
    worker_app = _worker_app(app, url, port)
    with worker_app.app_context():
        f.make_user("it@secretariat.example.org", is_admin=True)
    admin = Client(worker_app)
    admin.login("it@secretariat.example.org")

    stop_redis()
    started = time.monotonic()
    r = admin.post(
        "/admin/users/new",
        {
            "email": "new.delegate@kz.example.org",
            "name": "New Delegate",
            "member_state": "0",
            "locale": "ru",
            "timezone": "Asia/Almaty",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)  # the request succeeds
    assert time.monotonic() - started < 10
    with worker_app.app_context():
        row = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.recipient == "new.delegate@kz.example.org")
        )
        assert row.state == OutboxState.QUEUED  # waiting, not lost

    start_redis()
    with running_worker(worker_app):
        # Beat's periodic sweep (fired here by hand) picks up what waited.
        with worker_app.app_context():
            dispatch_outbox()
        _wait(lambda: server.to("new.delegate@kz.example.org") == 1, what="catch-up")
        time.sleep(1)
    assert server.to("new.delegate@kz.example.org") == 1
