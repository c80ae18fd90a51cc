"""A worker killed in the middle of a digest run: after a restart, every
digest arrives exactly once (late acknowledgement + idempotent batches)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
import sqlalchemy as sa

from konsey.extensions import db
from konsey.models import AuditEvent, DigestFrequency, DigestRun, Meeting, OutboxMessage
from tests import factories as f
from tests.conftest import DATABASE_URL, IN_CI, REDIS_URL

pytestmark = pytest.mark.redis
if (REDIS_URL is None or DATABASE_URL is None) and not IN_CI:
    pytest.skip("needs Redis and PostgreSQL", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
USERS = 1500


def _zone_after_eight(now: datetime) -> str:
    """A zone where it is now between 09:00 and 20:00, so digests are due."""
    for offset in range(-10, 15):
        name = f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"
        if 9 <= now.astimezone(ZoneInfo(name)).hour < 20:
            return name
    raise AssertionError("no zone found")


def _worker(app, broker_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": broker_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "KONSEY_INSTANCE_PATH": app.instance_path,
        "KONSEY_CELERY_VISIBILITY_TIMEOUT": "2",
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_every_digest_once(app, ctx):
    now = datetime.now(UTC)
    zone = _zone_after_eight(now)
    group = f.make_group("wg-faults")
    with f.batch():
        for i in range(USERS):
            user = f.make_user(f"fault{i}@example.org", timezone=zone, digest=DigestFrequency.DAILY)
            f.add(group, user, "observer")
    meeting = Meeting(
        group=group,
        title="Fault-tolerance meeting",
        timezone="UTC",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(
        AuditEvent(
            action="meeting.create",
            object_type="meeting",
            object_id=str(meeting.id),
            group_id=group.id,
            created_at=now - timedelta(hours=20),
            details={},
        )
    )
    db.session.commit()

    broker_url = REDIS_URL.rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(broker_url).flushdb()
    from celery import Celery

    sender = Celery(broker=broker_url)
    worker = _worker(app, broker_url)
    try:
        sender.send_task("workers.digests.run")
        # Kill it once some batches are done and others are not.
        _wait(lambda: _count(DigestRun) >= 500, 120, "the first batch")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        done_when_killed = _count(DigestRun)
        assert done_when_killed < USERS, "the run finished before it could be killed"
        time.sleep(3)  # the visibility timeout: the task is handed out again
        worker = _worker(app, broker_url)
        _wait(lambda: _count(DigestRun) == USERS, 180, "the run to complete after restart")
        time.sleep(2)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(20)
        redis.Redis.from_url(broker_url).flushdb()
    digests = db.session.scalars(
        sa.select(OutboxMessage.recipient).where(OutboxMessage.dedupe_key.startswith("digest:"))
    ).all()
    assert len(digests) == USERS
    assert len(set(digests)) == USERS  # every one exactly once
