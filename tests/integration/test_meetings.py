"""Meetings and agendas in the browser: planning in the venue's time zone,
agenda items, the review item, attendance and registration — and bad input
refused with a clear message and nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import AgendaItem, AuditEvent, Meeting, MeetingParticipant, MeetingStatus
from tests.integration.meetings_data import (
    agenda_titles,
    audit_actions,
    build,
    count,
    make_meeting,
    page_text,
    reload,
    soon,
    utc,
)


@pytest.fixture
def w(ctx):
    return build(ctx)


def meeting_form(**overrides) -> dict[str, str]:
    """The "plan a meeting" form: Nov 8, 2030, 10:00–12:30 in Baku (06:00–08:30 UTC)."""
    data = {
        "title": "Cyber Security Working Group",
        "number": "2nd Meeting",
        "date": "2030-11-08",
        "start_time": "10:00",
        "end_time": "12:30",
        "timezone": "Asia/Baku",
        "venue_city": "Baku",
        "venue_address": "Ministry of Transport, Communications and High Technologies",
        "online_url": "",
        "status": "planned",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def only_meeting() -> Meeting:
    db.session.rollback()
    return db.session.scalars(select(Meeting)).one()


# Planning ---------------------------------------------------------------------------
@pytest.mark.parametrize("manager", ["coordinator", "admin"])
def test_managers_plan_a_meeting_in_the_venues_time(client, w, manager):
    client.login(getattr(w, manager).email)
    form = client.get("/groups/cyber/meetings/new")
    assert form.status_code == 200
    assert "Review of previous decisions and open actions" in page_text(form)

    response = client.post("/groups/cyber/meetings/new", meeting_form())
    assert response.status_code == 302, page_text(response)[:2000]
    meeting = only_meeting()
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    # Typed in Baku's time, stored as the UTC instant.
    assert (meeting.starts_at, meeting.ends_at) == (utc(2030, 11, 8, 6), utc(2030, 11, 8, 8, 30))
    assert (meeting.timezone, meeting.status, meeting.sequence) == (
        "Asia/Baku",
        MeetingStatus.PLANNED,
        0,
    )
    assert meeting.group_id == w.group.id
    assert meeting.venue == "Ministry of Transport, Communications and High Technologies, Baku"
    assert audit_actions()[-1] == "meeting.create"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "meeting.create")
    ).one()
    assert (event.actor_id, event.object_type, event.object_id) == (
        getattr(w, manager).id,
        "meeting",
        str(meeting.id),
    )

    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "The meeting is created." in text
    assert "2nd Meeting · Cyber Security Working Group" in text
    assert "Nov 8, 2030, 10:00 AM–12:30 PM Asia/Baku" in text
    # Without the review box ticked the agenda starts empty.
    assert "No agenda items yet." in text


def test_viewer_sees_their_own_time_when_it_differs(client, w):
    meeting = make_meeting(w.group, "Planning", starts=utc(2030, 11, 8, 6), hours=2)
    # The coordinator lives in Bishkek (UTC+6), the venue is in Baku (UTC+4).
    client.login(w.coordinator.email)
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert (
        "Nov 8, 2030, 10:00 AM–12:00 PM Asia/Baku · "
        "Nov 8, 2030, 12:00 PM–2:00 PM Asia/Bishkek (your time)" in text
    )
    # Someone in the venue's own zone sees it once.
    client.logout()
    client.login(w.az_head.email)
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Nov 8, 2030, 10:00 AM–12:00 PM Asia/Baku" in text
    assert "(your time)" not in text


def test_a_meeting_over_several_days_and_one_without_a_date(client, w):
    client.login(w.coordinator.email)
    response = client.post(
        "/groups/cyber/meetings/new",
        meeting_form(
            date="2030-11-08", end_date="2030-11-09", end_time="13:00", timezone="Europe/Istanbul"
        ),
    )
    assert response.status_code == 302
    meeting = only_meeting()
    assert (meeting.starts_at, meeting.ends_at) == (utc(2030, 11, 8, 7), utc(2030, 11, 9, 10))
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Nov 8, 2030, 10:00 AM–Nov 9, 2030, 1:00 PM Europe/Istanbul" in text

    response = client.post(
        "/groups/cyber/meetings/new",
        meeting_form(
            title="3rd Ministerial Meeting", date="", start_time="", end_time="", date_unknown="y"
        ),
    )
    assert response.status_code == 302
    undated = db.session.scalars(
        select(Meeting).where(Meeting.title == "3rd Ministerial Meeting")
    ).one()
    assert (undated.starts_at, undated.ends_at) == (None, None)
    text = page_text(client.get(f"/meetings/{undated.id}"))
    assert "Date not yet known" in text
    assert "Add to my calendar" not in text
    listing = page_text(client.get("/groups/cyber/meetings"))
    assert "3rd Ministerial Meeting Date not yet known" in listing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_time": "09:00"}, "The meeting must end after it starts."),
        ({"end_time": "10:00"}, "The meeting must end after it starts."),
        ({"end_date": "2030-11-07", "end_time": "12:00"}, "The meeting must end after it starts."),
        ({"timezone": "Asia/Atlantis"}, "Unknown time zone; use an IANA name such as Asia/Almaty."),
        ({"timezone": "Baku"}, "Unknown time zone"),
        ({"date": ""}, "Give the date, or tick “The date is not yet known”."),
        ({"date": "8 November"}, "Not a valid date value."),
        ({"start_time": ""}, "Give the time the meeting starts."),
        ({"end_time": "25:00"}, "Not a valid time value."),
        ({"title": "   "}, "This field is required."),
        ({"online_url": "javascript:alert(1)"}, "Enter a web address that starts with https://."),
        ({"status": "postponed"}, "Not a valid choice."),
        ({"date": "0001-01-01", "timezone": "Asia/Tokyo"}, "The date is out of range."),
        ({"end_date": "2031-01-01"}, "A meeting cannot last longer than 31 days."),
    ],
)
def test_bad_meeting_input_is_refused_and_nothing_is_created(client, w, change, message):
    client.login(w.coordinator.email)
    before = audit_actions()
    response = client.post("/groups/cyber/meetings/new", meeting_form(**change))
    assert response.status_code == 422, page_text(response)[:1000]
    assert message in page_text(response)
    assert count(Meeting) == 0
    assert count(AgendaItem) == 0
    assert audit_actions() == before


def test_editing_keeps_the_uid_and_raises_the_sequence(client, w):
    meeting = make_meeting(w.group, "Planning", starts=utc(2030, 11, 8, 6), hours=2)
    uid = meeting.ical_uid
    client.login(w.coordinator.email)
    form = page_text(client.get(f"/meetings/{meeting.id}/edit"))
    assert "Edit the meeting" in form

    response = client.post(
        f"/meetings/{meeting.id}/edit",
        meeting_form(
            title="Planning",
            number="",
            start_time="11:00",
            end_time="13:00",
            venue_city="",
            venue_address="",
        ),
    )
    assert response.status_code == 302
    changed = reload(Meeting, meeting.id)
    assert (changed.starts_at, changed.ends_at) == (utc(2030, 11, 8, 7), utc(2030, 11, 8, 9))
    assert (changed.ical_uid, changed.sequence) == (uid, 1)
    assert changed.updated_at > changed.created_at
    assert audit_actions()[-1] == "meeting.update"

    # The same values again: nothing changes, the calendar is not disturbed.
    response = client.post(
        f"/meetings/{meeting.id}/edit",
        meeting_form(
            title="Planning",
            number="",
            start_time="11:00",
            end_time="13:00",
            venue_city="",
            venue_address="",
        ),
    )
    assert "Nothing was changed." in page_text(client.get(f"/meetings/{meeting.id}"))
    assert reload(Meeting, meeting.id).sequence == 1

    # A bad edit changes nothing.
    response = client.post(
        f"/meetings/{meeting.id}/edit", meeting_form(title="Planning", end_time="08:00")
    )
    assert response.status_code == 422
    assert "The meeting must end after it starts." in page_text(response)
    still = reload(Meeting, meeting.id)
    assert (still.starts_at, still.sequence) == (utc(2030, 11, 8, 7), 1)


def test_cancelling_marks_the_meeting_and_cannot_be_repeated(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon(), hours=2)
    client.login(w.coordinator.email)
    response = client.post_confirmed(f"/meetings/{meeting.id}/cancel")
    assert response.status_code == 302
    cancelled = reload(Meeting, meeting.id)
    assert (cancelled.status, cancelled.sequence) == (MeetingStatus.CANCELLED, 1)
    assert audit_actions()[-1] == "meeting.cancel"
    assert "The meeting is cancelled." in page_text(client.get(f"/meetings/{meeting.id}"))

    response = client.post(f"/meetings/{meeting.id}/cancel")
    assert response.status_code == 409
    assert "This meeting is already cancelled." in page_text(response)
    assert reload(Meeting, meeting.id).sequence == 1


@pytest.mark.parametrize("who", ["kz_delegate", "kz_head", "hu_observer", "outsider"])
def test_members_who_do_not_coordinate_cannot_manage(client, w, who):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["Opening"])
    item = meeting.agenda[0]
    client.login(getattr(w, who).email)
    before = audit_actions()
    attempts = [
        ("/groups/cyber/meetings/new", meeting_form()),
        (f"/meetings/{meeting.id}/edit", meeting_form(title="Hijacked")),
        (f"/meetings/{meeting.id}/cancel", {}),
        (f"/meetings/{meeting.id}/agenda/new", {"title": "Extra"}),
        (f"/meetings/{meeting.id}/agenda/{item.id}", {"title": "Hijacked"}),
        (f"/meetings/{meeting.id}/agenda/{item.id}/delete", {}),
        (f"/meetings/{meeting.id}/agenda/{item.id}/move", {"direction": "down"}),
        (f"/meetings/{meeting.id}/attendance", {"attended": str(w.kz_head.id)}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    after = reload(Meeting, meeting.id)
    assert (after.title, after.status, after.sequence) == ("Planning", MeetingStatus.PLANNED, 0)
    assert agenda_titles(meeting.id) == ["Opening"]
    assert count(Meeting) == 1
    assert count(MeetingParticipant) == 0
    assert audit_actions() == before
    # Members read the meeting, but see no buttons to change it.
    if who != "outsider":
        text = page_text(client.get(f"/meetings/{meeting.id}"))
        assert "Opening" in text
        assert "Edit the meeting" not in text
        assert "Cancel the meeting" not in text


# The agenda --------------------------------------------------------------------------
def test_agenda_items_are_added_edited_moved_and_deleted(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    client.login(w.coordinator.email)
    page = page_text(client.get(f"/meetings/{meeting.id}/agenda/new"))
    assert "Nurlan Head (KZ)" in page  # a member may lead an item
    for title in ["Opening", "Cyber incidents", "Closing"]:
        response = client.post(f"/meetings/{meeting.id}/agenda/new", {"title": title})
        assert response.status_code == 302
    assert agenda_titles(meeting.id) == ["Opening", "Cyber incidents", "Closing"]

    item = db.session.scalars(select(AgendaItem).where(AgendaItem.title == "Cyber incidents")).one()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{item.id}",
        {
            "title": "Cyber incidents in 2030",
            "description": "**Bold** plan <script>alert(1)</script> [link](javascript:alert(2)) "
            '<img src=x onerror="alert(3)">',
            "lead_state": str(w.kz.id),
            "lead_user": str(w.kz_head.id),
            "duration_minutes": "45",
            "outcome": "",
        },
    )
    assert response.status_code == 302
    body = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in body
    # Markup in the source shows as text; no script, handler or javascript: link survives.
    assert "<script>alert(1)" not in body
    assert 'href="javascript' not in body
    assert "<img" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Cyber incidents in 2030 KZ Kazakhstan · led by Nurlan Head · 45 minutes" in text

    # Move up, then move the first one down; moving the first up changes nothing.
    assert (
        client.post(
            f"/meetings/{meeting.id}/agenda/{item.id}/move", {"direction": "up"}
        ).status_code
        == 302
    )
    assert agenda_titles(meeting.id) == ["Cyber incidents in 2030", "Opening", "Closing"]
    assert (
        client.post(
            f"/meetings/{meeting.id}/agenda/{item.id}/move", {"direction": "up"}
        ).status_code
        == 302
    )
    assert agenda_titles(meeting.id) == ["Cyber incidents in 2030", "Opening", "Closing"]
    assert (
        client.post(
            f"/meetings/{meeting.id}/agenda/{item.id}/move", {"direction": "down"}
        ).status_code
        == 302
    )
    assert agenda_titles(meeting.id) == ["Opening", "Cyber incidents in 2030", "Closing"]

    opening = db.session.scalars(select(AgendaItem).where(AgendaItem.title == "Opening")).one()
    assert (
        client.post_confirmed(f"/meetings/{meeting.id}/agenda/{opening.id}/delete").status_code
        == 302
    )
    assert agenda_titles(meeting.id) == ["Cyber incidents in 2030", "Closing"]
    positions = db.session.scalars(
        select(AgendaItem.position)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    ).all()
    assert positions == [1, 2]

    actions = audit_actions()
    assert actions.count("agenda.add") == 3
    assert actions.count("agenda.update") == 1
    assert actions.count("agenda.move") == 2  # the move that changed nothing is not recorded
    assert actions.count("agenda.delete") == 1
    # Every change of the agenda changes the calendar entry (its DESCRIPTION).
    assert reload(Meeting, meeting.id).sequence == 7


def test_agenda_item_of_another_meeting_is_not_found(client, w):
    mine = make_meeting(w.group, "Mine", starts=soon(), agenda=["Mine 1", "Mine 2"])
    theirs = make_meeting(w.other, "Theirs", starts=soon(), agenda=["Theirs 1"])
    foreign = theirs.agenda[0]
    client.login(w.coordinator.email)  # coordinates both groups
    before = audit_actions()
    assert client.get(f"/meetings/{mine.id}/agenda/{foreign.id}").status_code == 404
    for url, data in [
        (f"/meetings/{mine.id}/agenda/{foreign.id}", {"title": "Moved in"}),
        (f"/meetings/{mine.id}/agenda/{foreign.id}/delete", {}),
        (f"/meetings/{mine.id}/agenda/{foreign.id}/move", {"direction": "up"}),
        (f"/meetings/{mine.id}/agenda/999999/delete", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert agenda_titles(theirs.id) == ["Theirs 1"]
    assert agenda_titles(mine.id) == ["Mine 1", "Mine 2"]
    assert audit_actions() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"duration_minutes": "0"}, "Number must be between 1 and 1440."),
        ({"duration_minutes": "99999999999999999999999"}, "Number must be between 1 and 1440."),
        ({"lead_user": "other"}, "Not a valid choice."),
        ({"lead_state": "hu"}, "Not a valid choice."),
        ({"direction": "sideways"}, None),
    ],
)
def test_bad_agenda_input_is_refused(client, w, change, message):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["Opening"])
    client.login(w.coordinator.email)
    item = meeting.agenda[0]
    data = {"title": "Opening, renamed"}
    # Ids that are valid numbers but not allowed choices.
    values = {"other": str(w.other_delegate.id), "hu": str(w.hu.id)}
    data.update({k: values.get(v, v) for k, v in change.items()})
    before = audit_actions()
    if "direction" in change:
        response = client.post(f"/meetings/{meeting.id}/agenda/{item.id}/move", data)
        assert "Move an item up or down." in page_text(response)
    else:
        response = client.post(f"/meetings/{meeting.id}/agenda/{item.id}", data)
        assert message in page_text(response)
    assert response.status_code == 422
    assert agenda_titles(meeting.id) == ["Opening"]
    assert audit_actions() == before


def test_review_item_carries_forward_what_the_previous_meeting_left_open(client, w):
    make_meeting(
        w.group,
        "Older meeting",
        starts=utc(2016, 11, 29, 6),
        agenda=["Very old item"],
    )
    make_meeting(
        w.group,
        "Cyber Security Working Group",
        number="1st Meeting",
        starts=utc(2017, 11, 8, 6),
        agenda=[("Opening", "Opened."), "Joint exercise", ("Budget", "Agreed."), "Next meeting"],
    )
    make_meeting(
        w.group, "Cancelled one", starts=utc(2018, 1, 8, 6), status="cancelled", agenda=["X"]
    )
    client.login(w.coordinator.email)
    response = client.post("/groups/cyber/meetings/new", meeting_form(add_review="y"))
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    review = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).one()
    assert (review.position, review.is_review) == (1, True)
    assert review.title == "Review of previous decisions and open actions"
    text = page_text(client.get(f"/meetings/{meeting_id}"))
    assert (
        "Agenda items of the previous meeting, 1st Meeting Cyber Security Working Group "
        "(November 8, 2017), without a recorded outcome: Joint exercise Next meeting"
    ) in text
    assert "Budget" not in text and "Very old item" not in text

    # Later items follow the review item.
    client.post(f"/meetings/{meeting_id}/agenda/new", {"title": "Opening"})
    assert agenda_titles(meeting_id) == ["Review of previous decisions and open actions", "Opening"]


def test_review_item_for_a_groups_first_meeting(client, w):
    client.login(w.coordinator.email)
    response = client.post("/groups/cyber/meetings/new", meeting_form(add_review="y"))
    assert response.status_code == 302
    text = page_text(client.get(response.headers["Location"]))
    assert "There is no earlier meeting of this group on record." in text


# Attendance -----------------------------------------------------------------------------
def test_coordinator_records_attendance_per_member_state(client, w):
    meeting = make_meeting(w.group, "Held meeting", starts=utc(2017, 11, 8, 6), status="held")
    client.login(w.coordinator.email)
    form = page_text(client.get(f"/meetings/{meeting.id}/attendance"))
    # Delegations by member state; the secretariat's coordinator is not listed.
    assert form.index("AZ Azerbaijan Elvin Head") < form.index("KZ Kazakhstan")
    assert "HU Hungary Hanna Observer" in form
    assert "Project Director" not in form.split("Attendance", 2)[-1]

    response = client.post(
        f"/meetings/{meeting.id}/attendance",
        {"attended": [str(w.kz_head.id), str(w.az_head.id)]},
    )
    assert response.status_code == 302
    rows = {a.user_id: a for a in db.session.scalars(select(MeetingParticipant))}
    assert {uid for uid, a in rows.items() if a.attended} == {w.kz_head.id, w.az_head.id}
    assert rows[w.kz_head.id].member_state_id == w.kz.id
    assert audit_actions()[-1] == "meeting.attendance"
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    # The workspace shows attendance by delegation (the list of participants).
    assert "AZ Azerbaijan Elvin Head Attended KZ Kazakhstan Nurlan Head Attended" in text

    # Correcting it: Elvin did not come after all, Dana did.
    client.post(
        f"/meetings/{meeting.id}/attendance",
        {"attended": [str(w.kz_head.id), str(w.kz_delegate.id)]},
    )
    db.session.rollback()
    came = set(
        db.session.scalars(
            select(MeetingParticipant.user_id).where(MeetingParticipant.attended.is_(True))
        )
    )
    assert came == {w.kz_head.id, w.kz_delegate.id}


def test_attendance_refuses_strangers_and_future_meetings(client, w):
    held = make_meeting(w.group, "Held meeting", starts=utc(2017, 11, 8, 6), status="held")
    upcoming = make_meeting(w.group, "Upcoming", starts=soon())
    client.login(w.coordinator.email)
    before = audit_actions()
    for value in [str(w.other_delegate.id), str(w.coordinator.id), "x"]:
        response = client.post(f"/meetings/{held.id}/attendance", {"attended": value})
        assert response.status_code == 422
        text = page_text(response)
        assert "is not a valid choice for this field." in text or "could not be coerced" in text
    response = client.post(f"/meetings/{upcoming.id}/attendance", {"attended": str(w.kz_head.id)})
    assert response.status_code == 409
    assert "Attendance can be recorded once the meeting has begun." in page_text(response)
    assert count(MeetingParticipant) == 0
    assert audit_actions() == before


def test_delegates_register_and_withdraw(client, w):
    meeting = make_meeting(w.group, "Upcoming", starts=soon())
    client.login(w.kz_delegate.email)
    assert "I will attend" in page_text(client.get(f"/meetings/{meeting.id}"))
    assert client.post(f"/meetings/{meeting.id}/register").status_code == 302
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "You are registered for this meeting." in text
    assert "KZ Kazakhstan Dana Delegate Registered" in text
    assert "you are registered" in page_text(client.get("/groups/cyber/meetings"))
    row = db.session.scalars(select(MeetingParticipant)).one()
    # An entry of the list of participants; attendance is not recorded yet.
    assert (row.user_id, row.member_state_id, row.registered, row.attended) == (
        w.kz_delegate.id,
        w.kz.id,
        True,
        None,
    )
    assert row.registered_by_id == w.kz_delegate.id

    response = client.post(f"/meetings/{meeting.id}/register")
    assert response.status_code == 409
    assert "You are already registered for this meeting." in page_text(response)

    assert client.post(f"/meetings/{meeting.id}/withdraw").status_code == 302
    assert "You are no longer registered" in page_text(client.get(f"/meetings/{meeting.id}"))
    assert reload(MeetingParticipant, row.id).registered is False
    assert audit_actions()[-2:] == ["meeting.register", "meeting.withdraw"]


def test_registration_is_closed_for_past_cancelled_and_for_non_delegates(client, w):
    past = make_meeting(w.group, "Past", starts=utc(2017, 11, 8, 6))
    cancelled = make_meeting(w.group, "Cancelled", starts=soon(), status="cancelled")
    upcoming = make_meeting(w.group, "Upcoming", starts=soon())
    client.login(w.kz_head.email)
    response = client.post(f"/meetings/{past.id}/register")
    assert response.status_code == 409
    assert "This meeting has already begun; registration is closed." in page_text(response)
    assert client.post(f"/meetings/{cancelled.id}/register").status_code == 403
    client.logout()
    for who in ["hu_observer", "coordinator", "admin", "outsider"]:
        client.login(getattr(w, who).email)
        assert client.post(f"/meetings/{upcoming.id}/register").status_code == 403, who
        client.logout()
    assert count(MeetingParticipant) == 0


# Lists and the group home ------------------------------------------------------------------
def test_meetings_page_lists_upcoming_and_past(client, w):
    make_meeting(w.group, "Long ago", starts=utc(2016, 11, 29, 6), status="held")
    make_meeting(w.group, "Last year", starts=utc(2017, 11, 8, 6), status="held")
    make_meeting(w.group, "Next month", starts=soon(30))
    make_meeting(w.group, "Next week", starts=soon(7))
    make_meeting(w.other, "Not ours", starts=soon(3))
    client.login(w.kz_delegate.email)
    text = page_text(client.get("/groups/cyber/meetings"))
    upcoming = text.index("Upcoming meetings")
    past = text.index("Past meetings")
    order = [text.index(t) for t in ["Next week", "Next month", "Last year", "Long ago"]]
    assert upcoming < order[0] < order[1] < past < order[2] < order[3]
    assert "Not ours" not in text
    assert "Plan a meeting" not in text
    assert "Held" in text


def test_group_home_shows_the_next_meeting_and_its_agenda(client, w):
    make_meeting(w.group, "Later", starts=soon(60), agenda=["Later item"])
    make_meeting(w.group, "Sooner", starts=soon(10), agenda=["Opening", "Cyber drills"])
    make_meeting(w.group, "Cancelled sooner", starts=soon(5), status="cancelled")
    client.login(w.kz_head.email)
    text = page_text(client.get("/groups/cyber"))
    assert "Meetings" in text  # the group navigation
    section = text[text.index("Next meeting") :]
    assert section.startswith("Next meeting Sooner")
    assert "Agenda 1. Opening 2. Cyber drills" in section  # items show their number
    assert "Later item" not in section and "Cancelled sooner" not in section


def test_group_home_without_a_planned_meeting(client, w):
    client.login(w.kz_head.email)
    assert "No meeting is planned." in page_text(client.get("/groups/cyber"))


def _fill(group, n, user):
    """n meetings, past and upcoming, each with an agenda and ``user`` registered."""
    for i in range(n):
        days = i - n // 2 if i < n // 2 else i - n // 2 + 1  # never today
        meeting = make_meeting(group, f"Meeting {i}", starts=soon(days), agenda=["A", "B"])
        db.session.add(MeetingParticipant(meeting_id=meeting.id, user_id=user.id, registered=True))
    db.session.commit()


@pytest.mark.parametrize("path", ["/groups/cyber/meetings", "/groups/cyber"])
def test_list_pages_run_a_fixed_number_of_queries(client, w, count_queries, path):
    client.login(w.kz_delegate.email)
    _fill(w.group, 2, w.kz_delegate)
    client.get(path)  # warm up
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _fill(w.group, 28, w.kz_delegate)
    with count_queries() as many:
        response = client.get(path)
    assert response.status_code == 200
    assert "Meeting 27" in page_text(response) or path == "/groups/cyber"
    assert len(many) == len(few), many


def test_meeting_page_runs_a_fixed_number_of_queries(client, w, count_queries):
    small = make_meeting(w.group, "Small", starts=soon(), agenda=["A"])
    big = make_meeting(w.group, "Big", starts=soon(), agenda=[f"Item {i}" for i in range(25)])
    client.login(w.coordinator.email)
    for item, user in zip(big.agenda, [w.kz_head, w.az_head, w.kz_delegate], strict=False):
        item.lead_user_id = user.id
        item.lead_state_id = user.member_state_id
    small.agenda[0].lead_user_id = w.kz_head.id
    small.agenda[0].lead_state_id = w.kz.id
    small_id, big_id = small.id, big.id
    db.session.commit()
    client.get(f"/meetings/{small_id}")
    with count_queries() as few:
        client.get(f"/meetings/{small_id}")
    with count_queries() as many:
        assert "Item 24" in page_text(client.get(f"/meetings/{big_id}"))
    assert len(many) == len(few)
