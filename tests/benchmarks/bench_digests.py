"""Digest run time for 1,000 and 10,000 users (must grow linearly or better).

    make bench PYTEST_ARGS="-k digests"

Runs on the test database (PostgreSQL when it answers). Every user is in one
of 20 groups with realistic activity (meetings created and changed, minutes
circulated) in the period, and gets a daily digest.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from konsey.extensions import db
from konsey.models import (
    AuditEvent,
    DigestFrequency,
    Meeting,
    MeetingStatus,
    Membership,
    OutboxMessage,
    Role,
    User,
    WorkingGroup,
)
from konsey.notifications import digests
from tests.benchmarks import support

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
ZONES = ["Europe/Istanbul", "Asia/Baku", "Asia/Almaty", "Asia/Bishkek"]


def _populate(users: int, groups: int = 20) -> None:
    group_rows = [
        {"slug": f"bench-{i}", "name": f"Bench group {i}", "mandate": "", "created_at": NOW}
        for i in range(groups)
    ]
    db.session.execute(sa.insert(WorkingGroup), group_rows)
    group_ids = db.session.scalars(sa.select(WorkingGroup.id).order_by(WorkingGroup.id)).all()
    user_rows = [
        {
            "email": f"bench{i}@example.org",
            "name": f"Bench {i}",
            "locale": ["en", "tr", "ru"][i % 3],
            "timezone": ZONES[i % 4],
            "digest": DigestFrequency.DAILY,
            "is_admin": False,
            "is_signatory": False,
            "is_active_account": True,
            "session_nonce": "x",
            "created_at": NOW,
        }
        for i in range(users)
    ]
    for start in range(0, users, 5000):
        db.session.execute(sa.insert(User), user_rows[start : start + 5000])
    user_ids = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    db.session.execute(
        sa.insert(Membership),
        [
            {"group_id": group_ids[n % groups], "user_id": uid, "role": Role.OBSERVER, "since": NOW}
            for n, uid in enumerate(user_ids)
        ],
    )
    for gid in group_ids:
        for k in range(5):
            meeting = Meeting(
                group_id=gid,
                title=f"Meeting {k}",
                timezone="Asia/Baku",
                starts_at=NOW + timedelta(days=k + 3),
                ends_at=NOW + timedelta(days=k + 3, hours=3),
                status=MeetingStatus.PLANNED,
                venue_city="Baku",
            )
            db.session.add(meeting)
            db.session.flush()
            for action in ("meeting.create", "meeting.update"):
                db.session.add(
                    AuditEvent(
                        action=action,
                        object_type="meeting",
                        object_id=str(meeting.id),
                        group_id=gid,
                        created_at=NOW - timedelta(hours=10),
                        details={},
                    )
                )
    db.session.commit()


def _clear() -> None:
    for model in (OutboxMessage, AuditEvent, Membership, Meeting, User, WorkingGroup):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.text("DELETE FROM digest_run"))
    db.session.commit()


def _measure(app, users: int, count_queries) -> tuple[float, int, int]:
    with app.app_context():
        _clear()
        _populate(users)
        with count_queries() as statements:
            start = time.perf_counter()
            queued = digests.run(NOW)
            elapsed = time.perf_counter() - start
        _clear()
    return elapsed, len(statements), queued


def test_digest_run_scales_linearly(app, count_queries):
    small = _measure(app, 1_000, count_queries)
    large = _measure(app, 10_000, count_queries)
    ratio = large[0] / small[0]
    print(
        f"\ndigest run: 1,000 users {small[0]:.2f} s ({small[1]} queries, {small[2]} emails); "
        f"10,000 users {large[0]:.2f} s ({large[1]} queries, {large[2]} emails); "
        f"time ratio {ratio:.2f}, query ratio {large[1] / small[1]:.2f}"
    )
    support.record(
        "digests",
        {
            "users_1000": {"seconds": small[0], "queries": small[1], "emails": small[2]},
            "users_10000": {"seconds": large[0], "queries": large[1], "emails": large[2]},
            "time_ratio": ratio,
            "query_ratio": large[1] / small[1],
        },
    )
    assert small[2] == 1_000 and large[2] == 10_000
    assert ratio <= 10.5
