"""Calendars: each meeting's .ics and the private feed, parsed back with icalendar.

Expected instants are written out by hand (not computed with zoneinfo), so a
wrong conversion cannot agree with itself.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import AuditEvent, Meeting, User
from tests.integration.meetings_data import (
    audit_actions,
    build,
    make_meeting,
    page_text,
    reload,
    soon,
    utc,
)

FEED_URL_RE = re.compile(r'id="feed-url"[^>]*>\s*([^<\s]+)\s*<')


@pytest.fixture
def w(ctx):
    return build(ctx)


def parse(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> dict[str, object]:
    """SUMMARY → VEVENT."""
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def one_event(response):
    found = parse(response).walk("VEVENT")
    assert len(found) == 1
    return found[0]


# 10:00–12:00 local on 9 November 2017 (and 2030), and what that is in UTC.
# Kazakhstan moved Almaty from UTC+6 to UTC+5 on 1 March 2024.
ZONES = [
    ("Europe/Istanbul", "2017-11-09", utc(2017, 11, 9, 7), utc(2017, 11, 9, 9)),
    ("Asia/Baku", "2017-11-09", utc(2017, 11, 9, 6), utc(2017, 11, 9, 8)),
    ("Asia/Almaty", "2017-11-09", utc(2017, 11, 9, 4), utc(2017, 11, 9, 6)),
    ("Asia/Bishkek", "2017-11-09", utc(2017, 11, 9, 4), utc(2017, 11, 9, 6)),
    ("Asia/Almaty", "2030-11-09", utc(2030, 11, 9, 5), utc(2030, 11, 9, 7)),
]


@pytest.mark.parametrize(("zone", "day", "starts", "ends"), ZONES)
def test_ics_carries_the_instant_typed_in_the_venues_zone(client, w, zone, day, starts, ends):
    client.login(w.coordinator.email)
    response = client.post(
        "/groups/cyber/meetings/new",
        {
            "title": "Ministerial Meeting",
            "number": "2nd Meeting",
            "date": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "timezone": zone,
            "venue_city": "Istanbul",
            "venue_address": "Çırağan Palace",
            "status": "planned",
            "add_review": "y",
        },
    )
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    ics = client.get(f"/meetings/{meeting_id}.ics")
    assert ics.headers["Content-Disposition"] == f'attachment; filename="meeting-{meeting_id}.ics"'
    event = one_event(ics)
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtend") == ends
    assert event.decoded("dtstart").utcoffset().total_seconds() == 0
    meeting = reload(Meeting, meeting_id)
    assert str(event["uid"]) == meeting.ical_uid
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]) == "Cyber Security — 2nd Meeting: Ministerial Meeting"
    assert str(event["location"]) == "Çırağan Palace, Istanbul"
    assert str(event["url"]) == f"http://konsey.test/meetings/{meeting_id}"
    assert "1. Review of previous decisions and open actions" in str(event["description"])
    assert event.decoded("dtstamp").tzinfo is not None


def test_cancelling_and_editing_keep_the_uid_and_raise_the_sequence(client, w):
    meeting = make_meeting(w.group, "Planning", starts=utc(2030, 11, 8, 6), agenda=["Opening"])
    client.login(w.coordinator.email)
    first = one_event(client.get(f"/meetings/{meeting.id}.ics"))

    client.post(
        f"/meetings/{meeting.id}/edit",
        {
            "title": "Planning",
            "date": "2030-11-08",
            "start_time": "11:00",
            "end_time": "13:00",
            "timezone": "Asia/Baku",
            "status": "planned",
        },
    )
    moved = one_event(client.get(f"/meetings/{meeting.id}.ics"))
    assert str(moved["uid"]) == str(first["uid"])
    assert int(moved["sequence"]) == int(first["sequence"]) + 1
    assert moved.decoded("dtstart") == utc(2030, 11, 8, 7)
    assert moved.decoded("dtstamp") >= first.decoded("dtstamp")

    client.post(f"/meetings/{meeting.id}/agenda/new", {"title": "Cyber drills"})
    with_item = one_event(client.get(f"/meetings/{meeting.id}.ics"))
    assert int(with_item["sequence"]) == int(moved["sequence"]) + 1
    assert "2. Cyber drills" in str(with_item["description"])

    client.post_confirmed(f"/meetings/{meeting.id}/cancel")
    cancelled = one_event(client.get(f"/meetings/{meeting.id}.ics"))
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["uid"]) == str(first["uid"])
    assert int(cancelled["sequence"]) == int(with_item["sequence"]) + 1


def test_undated_meeting_has_no_ics(client, w):
    meeting = make_meeting(w.group, "3rd Ministerial Meeting")
    client.login(w.kz_head.email)
    response = client.get(f"/meetings/{meeting.id}.ics")
    assert response.status_code == 404
    assert "This meeting has no date yet, so it has no calendar entry." in page_text(response)


def test_ics_is_for_the_groups_members_only(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    assert client.get(f"/meetings/{meeting.id}.ics").status_code == 302  # log in first
    client.login(w.outsider.email)
    assert client.get(f"/meetings/{meeting.id}.ics").status_code == 403
    assert client.get("/meetings/999999.ics").status_code == 404


# The private feed ------------------------------------------------------------------------
def create_feed(client, email) -> str:
    client.login(email)
    page = page_text(client.get("/account"))
    assert "Calendar feed" in page
    assert "Create my calendar feed" in page or "Replace it with a new address" in page
    response = client.post("/account/calendar")
    assert response.status_code == 200
    match = FEED_URL_RE.search(response.get_data(as_text=True))
    assert match, "the page does not show the feed's address"
    assert "it will not be shown again" in page_text(response)
    return match.group(1).removeprefix("http://konsey.test")


def test_feed_lists_the_meetings_of_the_users_groups_without_a_session(client, make_client, w):
    make_meeting(w.group, "Held", starts=utc(2017, 11, 8, 6), status="held", agenda=["Opening"])
    make_meeting(w.group, "Upcoming", starts=soon(), timezone="Asia/Almaty")
    make_meeting(w.group, "Called off", starts=soon(40), status="cancelled")
    make_meeting(w.group, "Undated")
    make_meeting(w.other, "Other group's meeting", starts=soon())
    path = create_feed(client, w.kz_delegate.email)
    assert path.startswith("/calendar/") and path.endswith(".ics")

    stranger = make_client()  # no session, no cookie: a calendar program
    response = stranger.get(path)
    calendar = parse(response)
    assert str(calendar["x-wr-calname"]) == "Konsey meetings of Dana Delegate"
    found = events(calendar)
    assert set(found) == {
        "Cyber Security — Held",
        "Cyber Security — Upcoming",
        "Cyber Security — Called off",
    }
    assert str(found["Cyber Security — Called off"]["status"]) == "CANCELLED"
    assert str(found["Cyber Security — Held"]["status"]) == "CONFIRMED"
    assert found["Cyber Security — Held"].decoded("dtstart") == utc(2017, 11, 8, 6)
    assert "1. Opening" in str(found["Cyber Security — Held"]["description"])

    # Only the hash is stored, and the account page says the feed is on.
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    user = reload(User, w.kz_delegate.id)
    assert user.calendar_token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert "Your calendar feed is on." in page_text(client.get("/account"))
    assert audit_actions()[-1] == "calendar_feed.create"


def test_feed_reset_and_revoke(client, make_client, w):
    make_meeting(w.group, "Upcoming", starts=soon())
    old = create_feed(client, w.kz_delegate.email)
    new = create_feed(client, w.kz_delegate.email)  # "replace it with a new address"
    stranger = make_client()
    assert old != new
    assert stranger.get(old).status_code == 404
    assert stranger.get(new).status_code == 200

    response = client.post("/account/calendar/revoke")
    assert response.status_code == 302
    assert "Your calendar feed is switched off" in page_text(client.get("/account"))
    assert stranger.get(new).status_code == 404
    assert reload(User, w.kz_delegate.id).calendar_token_hash is None
    actions = [a for a in audit_actions() if a.startswith("calendar_feed.")]
    assert actions == ["calendar_feed.create", "calendar_feed.reset", "calendar_feed.revoke"]
    events_ = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("calendar_feed.%"))
    ).all()
    assert {e.object_id for e in events_} == {str(w.kz_delegate.id)}


def test_feed_of_a_deactivated_user_and_wrong_tokens_are_not_found(client, make_client, w):
    path = create_feed(client, w.kz_delegate.email)
    stranger = make_client()
    for wrong in [
        "/calendar/kcal_nope.ics",
        "/calendar/nope.ics",
        "/calendar/" + "k" * 5000 + ".ics",
    ]:
        assert stranger.get(wrong).status_code == 404
    user = reload(User, w.kz_delegate.id)
    user.is_active_account = False
    db.session.commit()
    assert stranger.get(path).status_code == 404


def test_feed_runs_a_fixed_number_of_queries(client, make_client, w, count_queries):
    path = create_feed(client, w.kz_delegate.email)
    stranger = make_client()
    for i in range(2):
        make_meeting(w.group, f"M{i}", starts=soon(i + 1), agenda=["A", "B"])
    stranger.get(path)
    with count_queries() as few:
        stranger.get(path)
    for i in range(2, 30):
        make_meeting(w.group if i % 2 else w.other, f"M{i}", starts=soon(i + 1), agenda=["A"])
    with count_queries() as many:
        assert len(parse(stranger.get(path)).walk("VEVENT")) == 16
    assert len(many) == len(few)
