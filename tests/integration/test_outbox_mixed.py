"""One run of the notices queues, in one statement, mail of different kinds:
a notice (which says what it is about) beside an information mail for
someone who hears of each event at once (which does not)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.minutes import services as minutes_services
from konsey.models import DigestFrequency, OutboxMessage
from konsey.notifications import immediate
from tests.integration import minutes_world

NOW = datetime(2026, 11, 10, 7, 0, tzinfo=UTC)


def test_a_notice_and_an_information_mail_are_queued_by_the_same_run(ctx):
    w = minutes_world.build()
    w.kz_expert.digest = DigestFrequency.IMMEDIATELY
    db.session.commit()
    immediate.run(NOW)
    pd = audit.Actor(w.coordinator, "127.0.0.1")
    minutes = minutes_services.add_version(pd, w.meeting, None, "Text.", now=NOW).minutes
    minutes_services.circulate(
        pd, minutes, deadline=NOW + timedelta(days=7), silence_procedure=False, now=NOW
    )
    assert immediate.run(NOW) >= 3
    rows = db.session.scalars(select(OutboxMessage)).all()
    keys = {row.recipient: (row.dedupe_key, row.about) for row in rows}
    assert keys["head@kz.example.org"][0].startswith("notice:minutes.position_needed:")
    assert keys["head@kz.example.org"][1] == f"minutes:{minutes.id}"
    assert keys["erlan@kz.example.org"][0].startswith("event:")
    assert keys["erlan@kz.example.org"][1] is None
