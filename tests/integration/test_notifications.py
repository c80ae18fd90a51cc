"""Reminders and digests: the right people, at 09:00 / 08:00 their time, once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from konsey import audit
from konsey.extensions import db
from konsey.models import (
    AuditEvent,
    DigestFrequency,
    DigestRun,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    MinutesVersion,
    OutboxMessage,
)
from konsey.notifications import digests, immediate, links, reminders
from tests import factories as f

ZONES = {
    "IST": "Europe/Istanbul",  # UTC+3
    "BAK": "Asia/Baku",  # UTC+4
    "ALA": "Asia/Almaty",  # UTC+5
    "FRU": "Asia/Bishkek",  # UTC+6
}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def people(ctx):
    """A group with a head of delegation in each of four capitals."""
    group = f.make_group("cyber", "Cyber Security")
    states = {
        "TR": f.make_state("TR", "Turkey", tz=ZONES["IST"]),
        "AZ": f.make_state("AZ", "Azerbaijan", tz=ZONES["BAK"]),
        "KZ": f.make_state("KZ", "Kazakhstan", tz=ZONES["ALA"]),
        "KG": f.make_state("KG", "Kyrgyzstan", tz=ZONES["FRU"]),
    }
    users = {}
    for code, state in states.items():
        user = f.make_user(
            f"head.{code.lower()}@example.org",
            state=state,
            timezone=state.capital_timezone,
            locale="ru" if code in ("KZ", "KG") else "tr",
            name=f"Head {code}",
            digest=DigestFrequency.OFF,
        )
        f.add(group, user, "head")
        users[code] = user
    coordinator = f.make_user(
        "coord@secretariat.example.org", timezone=ZONES["IST"], digest=DigestFrequency.OFF
    )
    f.add(group, coordinator, "coordinator")
    outsider = f.make_user(
        "outsider@example.org", timezone=ZONES["IST"], digest=DigestFrequency.OFF
    )
    return {
        "group": group,
        "states": states,
        "users": users,
        "coordinator": coordinator,
        "outsider": outsider,
    }


def _meeting(group, starts_at, **kw) -> Meeting:
    meeting = Meeting(
        group=group,
        title=kw.pop("title", "2nd Meeting of the Cyber Security group"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        timezone=kw.pop("timezone", ZONES["BAK"]),
        venue_city="Baku",
        status=kw.pop("status", MeetingStatus.PLANNED),
        **kw,
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _recipients(prefix: str) -> list[str]:
    return sorted(
        db.session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.dedupe_key.startswith(prefix))
        )
    )


def test_meeting_reminder_goes_out_at_nine_local_seven_days_before(people):
    # 10:00 in Baku on 7 December = 06:00 UTC.
    meeting = _meeting(people["group"], utc(2026, 12, 7, 6, 0))
    # 05:30 UTC on 30 November: 08:30 Istanbul, 09:30 Baku, 10:30 Almaty, 11:30 Bishkek.
    assert reminders.scan(utc(2026, 11, 30, 5, 30)) == 3
    assert _recipients(f"reminder:meeting:{meeting.id}:7d") == [
        "head.az@example.org",
        "head.kg@example.org",
        "head.kz@example.org",
    ]
    # Istanbul reaches 09:00 at 06:00 UTC; the others are not told twice.
    assert reminders.scan(utc(2026, 11, 30, 6, 5)) == 2  # head.tr and the coordinator
    assert reminders.scan(utc(2026, 11, 30, 6, 15)) == 0
    assert "head.tr@example.org" in _recipients(f"reminder:meeting:{meeting.id}:7d")
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "head.kz@example.org")
    )
    # In the recipient's language, with the venue's time and theirs.
    assert "Напоминание" in message.subject or "дн" in message.subject
    assert "Asia/Baku" in message.body_text and "Asia/Almaty" in message.body_text


def test_one_day_reminder_follows_each_recipients_calendar_date(people):
    # 00:30 on 1 December in Bishkek = 18:30 UTC on 30 November = 21:30 in Istanbul.
    meeting = _meeting(people["group"], utc(2026, 11, 30, 18, 30), timezone=ZONES["FRU"])
    reminders.scan(utc(2026, 11, 30, 4, 0))  # 10:00 in Bishkek, 09:00 in Almaty
    assert _recipients(f"reminder:meeting:{meeting.id}:1d") == [
        "head.kg@example.org",
    ]  # in Almaty (23:30), Baku and Istanbul the meeting is on 30 November: today
    reminders.scan(utc(2026, 11, 29, 6, 0))  # 29 Nov, 09:00 Istanbul: "tomorrow" there
    assert "head.tr@example.org" in _recipients(f"reminder:meeting:{meeting.id}:1d")


def test_cancelled_and_past_meetings_send_nothing(people):
    _meeting(people["group"], utc(2026, 12, 7, 6, 0), status=MeetingStatus.CANCELLED)
    assert reminders.scan(utc(2026, 11, 30, 9, 0)) == 0


def _circulated_minutes(group, deadline):
    meeting = _meeting(group, utc(2026, 11, 20, 6, 0), status=MeetingStatus.HELD)
    text = "The group agreed to exchange contact points."
    minutes = Minutes(meeting=meeting, status=MinutesStatus.CIRCULATED, comment_deadline=deadline)
    version = MinutesVersion(
        minutes=minutes, number=1, text=text, sha256=hashlib.sha256(text.encode()).hexdigest()
    )
    db.session.add_all([minutes, version])
    db.session.commit()
    return minutes, version


def _event(group, action, obj, when, actor=None):
    event = audit.record(audit.Actor(actor), action, obj)
    event.created_at = when
    db.session.commit()
    return event


def test_daily_digest_at_eight_local_once_and_only_for_members(people):
    meeting = _meeting(people["group"], utc(2026, 12, 7, 6, 0))
    _event(people["group"], "meeting.create", meeting, utc(2026, 11, 29, 12, 0))
    for user in (*people["users"].values(), people["outsider"]):
        user.digest = DigestFrequency.DAILY
    db.session.commit()

    # 04:30 UTC on 30 Nov: 07:30 Istanbul, 08:30 Baku, 09:30 Almaty, 10:30 Bishkek.
    assert digests.run(utc(2026, 11, 30, 4, 30)) == 3
    assert digests.run(utc(2026, 11, 30, 4, 45)) == 0  # nothing twice
    assert digests.run(utc(2026, 11, 30, 5, 5)) == 1  # Istanbul's 08:00 has come
    sent = _recipients("digest:user:")
    assert sent == sorted(f"head.{c}@example.org" for c in ("az", "kg", "kz", "tr"))
    kz = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "head.kz@example.org")
    )
    assert meeting.title in kz.body_text
    assert "Baku" in kz.body_text and "Asia/Baku" in kz.body_text  # place and local time
    assert "/notifications/digest/" in kz.body_text  # one-click frequency link
    assert kz.body_html and meeting.title in kz.body_html
    # The outsider had an empty period: nothing was sent, but it is done.
    assert (
        db.session.scalar(select(DigestRun.items).where(DigestRun.user_id == people["outsider"].id))
        == 0
    )


def test_weekly_digest_comes_on_monday(people):
    meeting = _meeting(people["group"], utc(2026, 12, 10, 6, 0))
    _event(people["group"], "meeting.update", meeting, utc(2026, 11, 26, 12, 0))
    user = people["users"]["TR"]
    user.digest = DigestFrequency.WEEKLY
    db.session.commit()
    assert digests.run(utc(2026, 11, 29, 9, 0)) == 0  # a Sunday
    assert digests.run(utc(2026, 11, 30, 9, 0)) == 1  # Monday, 12:00 in Istanbul


def test_digest_query_count_does_not_grow_with_users(people, count_queries):
    group = people["group"]
    meeting = _meeting(group, utc(2026, 12, 7, 6, 0))
    _event(group, "meeting.create", meeting, utc(2026, 11, 29, 12, 0))

    def make_users(n, tag):
        with f.batch():
            for i in range(n):
                user = f.make_user(
                    f"{tag}{i}@example.org", timezone=ZONES["ALA"], digest=DigestFrequency.DAILY
                )
                f.add(group, user, "observer")

    make_users(10, "small")
    with count_queries() as small:
        assert digests.run(utc(2026, 11, 30, 5, 0), batch=2000) >= 10
    make_users(1000, "large")
    with count_queries() as large:
        assert digests.run(utc(2026, 11, 30, 5, 10), batch=2000) >= 1000
    # One batch: the same queries for 10 users as for 1,000.
    assert len(large) == len(small), (len(small), len(large))
    _event(group, "meeting.update", meeting, utc(2026, 11, 30, 12, 0))
    with count_queries() as batched:
        assert digests.run(utc(2026, 12, 1, 5, 0)) == 1010  # batches of 500
    # Three batches: three times the queries of one, never one per user.
    assert len(batched) <= 3 * len(small) + 1, (len(small), len(batched))


def test_frequency_link_changes_the_digest_without_login(app, people, client):
    user = people["users"]["KZ"]
    token = links.make_token(user)
    page = client.get(f"/notifications/digest/{token}")
    assert page.status_code == 200
    r = client.http.post(f"/notifications/digest/{token}", data={"digest": "off"})
    assert r.status_code == 200
    db.session.refresh(user)
    assert user.digest == DigestFrequency.OFF
    bad = client.http.post(f"/notifications/digest/{token}", data={"digest": "hourly"})
    assert bad.status_code == 422
    tampered = client.get(f"/notifications/digest/{token[:-2]}xx")
    assert tampered.status_code == 400
    db.session.refresh(user)
    assert user.digest == DigestFrequency.OFF


def test_immediate_notices_one_per_event_and_only_once(people):
    user = people["users"]["TR"]
    user.digest = DigestFrequency.IMMEDIATELY
    db.session.commit()
    assert immediate.run(utc(2026, 11, 30, 9, 0)) == 0  # starts from now
    meeting = _meeting(people["group"], utc(2026, 12, 7, 6, 0))
    _event(
        people["group"],
        "meeting.create",
        meeting,
        utc(2026, 11, 30, 9, 1),
        actor=people["coordinator"],
    )
    assert immediate.run(utc(2026, 11, 30, 9, 1)) == 1
    assert immediate.run(utc(2026, 11, 30, 9, 2)) == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == user.email)
        )
        == 1
    )


def test_unknown_time_zone_in_old_data_does_not_stop_the_run(people):
    user = people["users"]["KG"]
    user.timezone = "Mars/Olympus_Mons"
    user.digest = DigestFrequency.DAILY
    db.session.commit()
    meeting = _meeting(people["group"], utc(2026, 12, 7, 6, 0))
    _event(people["group"], "meeting.create", meeting, utc(2026, 11, 29, 12, 0))
    assert digests.run(utc(2026, 11, 30, 9, 0)) == 1  # read as UTC
    assert reminders.scan(utc(2026, 11, 30, 9, 30)) >= 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 1


def test_expired_frequency_link_is_refused_and_changes_nothing(app, people, client, monkeypatch):
    import time

    import itsdangerous.timed

    user = people["users"]["TR"]
    real_time = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 91 * 86400)
    with app.test_request_context():
        token = links.make_token(user)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real_time)
    r = client.http.post(f"/notifications/digest/{token}", data={"digest": "daily"})
    assert r.status_code == 400
    assert "expired" in r.get_data(as_text=True)
    db.session.refresh(user)
    assert user.digest == DigestFrequency.OFF


def test_the_scheduled_tasks_follow_the_clock(people):
    """The tasks beat fires read the real clock: freeze it, do not sleep."""
    from freezegun import freeze_time

    import workers.digests
    import workers.reminders

    meeting = _meeting(people["group"], utc(2026, 12, 7, 6, 0))
    with freeze_time("2026-11-30 05:30:00"):  # 09:30 in Baku, 08:30 in Istanbul
        assert workers.reminders.scan.run() == 3
    with freeze_time("2026-11-30 06:01:00"):  # 09:01 in Istanbul
        assert workers.reminders.scan.run() == 2
        assert workers.reminders.scan.run() == 0  # beat firing twice: nothing doubled
    assert len(_recipients(f"reminder:meeting:{meeting.id}:7d")) == 5
    people["users"]["AZ"].digest = DigestFrequency.DAILY
    db.session.commit()
    _event(people["group"], "meeting.create", meeting, utc(2026, 11, 30, 12, 0))
    with freeze_time("2026-12-01 03:59:00"):  # 07:59 in Baku
        assert workers.digests.run.run() == 0
    with freeze_time("2026-12-01 04:00:00"):  # 08:00 in Baku
        assert workers.digests.run.run() == 1
        assert workers.digests.run.run() == 0


def test_action_reminders_follow_the_owners_date(people):
    from datetime import date

    from konsey.actions import services as action_services

    kg = people["states"]["KG"]
    item = action_services.create_action(
        audit.Actor(people["coordinator"]),
        people["group"],
        title="Send the contact list",
        owner_state=kg,
        due_date=date(2026, 11, 30),
        now=utc(2026, 11, 20, 9, 0),
    )
    db.session.commit()
    # 1 December 04:00 UTC is 10:00 in Bishkek: the first day overdue there.
    reminders.scan(utc(2026, 12, 1, 4, 0))
    assert _recipients(f"reminder:action:{item.id}:overdue") == ["head.kg@example.org"]
    # Weekly while overdue: 8 days late.
    reminders.scan(utc(2026, 12, 8, 4, 0))
    assert _recipients(f"reminder:action:{item.id}:overdue-8d") == ["head.kg@example.org"]
    reminders.scan(utc(2026, 12, 9, 4, 0))
    assert _recipients(f"reminder:action:{item.id}:overdue-9d") == []
