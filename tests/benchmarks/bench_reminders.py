"""The reminder scan over every action item, meeting and minutes of the generated dataset.

    make bench PYTEST_ARGS="-k reminders"

Runs ``reminders.scan`` in-process on the dataset of conftest.py (PostgreSQL):
the first scan at 09:00 in the member states' capitals queues what is due
(reminders before the due date, on the first overdue day, weekly while
overdue); a second scan at the same instant finds everything already sent.
One line each: time, SQL statements, reminders queued.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.benchmarks import support


def test_reminder_scan(dataset):
    from konsey import create_app
    from konsey.extensions import db
    from konsey.models import ActionItem
    from konsey.notifications import reminders

    app = create_app(
        {
            "KONSEY_ENV": "testing",
            "SECRET_KEY": "benchmark",
            "INSTANCE_PATH": str(dataset.instance),
            "SQLALCHEMY_DATABASE_URI": dataset.url,
            "REDIS_URL": support.REDIS_URL,
            "MAIL_DELIVERY": "worker",
        }
    )
    with app.app_context():
        actions = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
        today = datetime.now(UTC).date()
        # 06:00 UTC: 09:00 in Istanbul and Moscow, later further east.
        now = datetime(today.year, today.month, today.day, 6, 30, tzinfo=UTC)
        rows = {}
        for run in ("first", "second"):
            statements = []

            def count(*args, _statements=statements):
                _statements.append(1)

            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                start = time.perf_counter()
                queued = reminders.scan(now)
                elapsed = time.perf_counter() - start
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
            rows[run] = {"seconds": elapsed, "queries": len(statements), "queued": queued}
            print(
                f"\nreminder scan ({run}) over {actions:,} action items: {elapsed:.2f} s, "
                f"{len(statements)} queries, {queued:,} reminders queued"
            )
        db.session.remove()
    support.record("reminders", {"action_items": actions, **rows})
    assert rows["second"]["queued"] == 0
    assert rows["second"]["queries"] <= rows["first"]["queries"] + 5
