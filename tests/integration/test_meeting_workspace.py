"""The meeting page is the workspace: each agenda item with its papers (one
link per language, newest version, only what the reader may see), its
decisions and actions; the meeting's documents; the record's step bar with
what comes next and who must act; the review item's live list; titles that
never repeat the number; a bounded number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from konsey.extensions import db
from konsey.models import ActionItem, ActionStatus, AgendaItem, Meeting
from tests.integration import workspace_data as wd
from tests.integration.meetings_data import build, make_meeting, page_text, soon, utc


@pytest.fixture
def w(ctx):
    return build(ctx)


def _held(w, **kw):
    """A meeting held a week ago with three agenda items."""
    return make_meeting(
        w.group,
        kw.pop("title", "Cyber Security Working Group"),
        number=kw.pop("number", "2nd Meeting"),
        starts=datetime.now(UTC).replace(microsecond=0) - timedelta(days=7),
        status="held",
        agenda=["Opening", "Threat exchange", "Place and date of the next meeting"],
        **kw,
    )


def test_each_item_shows_its_papers_decisions_and_actions(client, w):
    meeting = _held(w)
    opening, threats, place = meeting.agenda
    wd.paper(
        w.group, threats, "Threat paper", by=w.kz_delegate, languages=("en", "ru"), revisions=3
    )
    wd.paper(w.group, opening, "Welcome note", by=w.coordinator)
    record = wd.minutes(
        meeting,
        "circulated",
        deadline=utc(2030, 12, 14, 9),
        states=[w.kz, w.az],
        agreed=[w.az],
    )
    exchange = wd.decision(record, threats, "A threat exchange led by Turkey.")
    wd.decision(record, place, "Kazakhstan proposes the place and date.", 2)
    wd.action(w.group, "Set up the exchange", decision=exchange, state=w.kz)
    wd.action(w.group, "Inform the Secretariat", item=place, state=w.kz, status="in_progress")
    client.login(w.kz_delegate.email)
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    text = page_text(response)
    # The item, its number, its paper (EN newest = version 4, RU = version 2), decision, action.
    section = text[text.index("2. Threat exchange") : text.index("3. Place and date")]
    assert "Threat paper (Working paper) — EN" in section and "RU" in section
    assert "Threat paper, version 4" in section and "Threat paper, version 2" in section
    assert "A threat exchange led by Turkey." in section
    assert "Set up the exchange" in section and "KZ" in section and "open" in section
    assert "Inform the Secretariat" in text[text.index("3. Place and date") :]
    assert "in progress" in text[text.index("3. Place and date") :]
    # One link per language (newest version), under the item and in the table.
    links = re.findall(r"/documents/\d+/versions/(\d+)/file", body)
    assert sorted(links) == ["1", "1", "2", "2", "4", "4"]
    # The documents of this meeting, with the uploader's state.
    table = text[text.index("Documents of this meeting") :]
    assert "Threat paper Working paper EN" in table
    assert "KZ Kazakhstan 2" in table  # uploader's state, agenda item 2
    assert "Welcome note Working paper EN" in table and "Secretariat 1" in table
    # The step bar: circulated is the current step; who must act, by when, how many have.
    assert re.search(
        r'<li class="step step-done step-current" aria-current="step">Circulated', body
    )
    assert body.count('aria-current="step"') == 1
    assert "Next: the delegations give their positions by December 14, 2030 — 1 of 2 has." in text
    # A delegate sees the workspace but no controls.
    for control in ["Delete", "Move up", "Move down", "Cancel the meeting", "Add an agenda item"]:
        assert control not in text
    assert "data-reorder-url" not in body and "drag-handle" not in body
    assert "agenda-reorder.js" not in body


def as_user(make_client, user):
    client = make_client()
    client.login(user.email)
    return client


def test_readers_see_only_the_papers_their_audience_allows(make_client, w):
    meeting = _held(w)
    wd.paper(w.group, meeting.agenda[0], "Delegations only", by=w.kz_delegate)
    wd.paper(
        w.group, meeting.agenda[0], "For observers too", by=w.kz_delegate, visibility="observers"
    )
    text = page_text(as_user(make_client, w.hu_observer).get(f"/meetings/{meeting.id}"))
    assert "For observers too" in text
    assert "Delegations only" not in text
    text = page_text(as_user(make_client, w.kz_head).get(f"/meetings/{meeting.id}"))
    assert "For observers too" in text and "Delegations only" in text
    assert as_user(make_client, w.outsider).get(f"/meetings/{meeting.id}").status_code == 403


def test_decisions_of_draft_minutes_are_shown_only_to_those_who_write_them(make_client, w):
    meeting = _held(w)
    record = wd.minutes(meeting, "draft")
    wd.decision(record, meeting.agenda[1], "A draft decision.")
    text = page_text(as_user(make_client, w.kz_delegate).get(f"/meetings/{meeting.id}"))
    assert "A draft decision." not in text
    assert "Next: the coordinators draft the minutes." in text  # the draft is not theirs to see
    text = page_text(as_user(make_client, w.coordinator).get(f"/meetings/{meeting.id}"))
    assert "A draft decision." in text
    assert "Next: the coordinators circulate the minutes to the delegations." in text


@pytest.mark.parametrize(
    ("status", "current", "sentence"),
    [
        ("planned", "Agenda", "Next: the meeting is held on"),
        ("held", "Meeting held", "Next: the coordinators draft the minutes."),
        ("agreed", "Agreed", "Next: the signatory signs the agreed minutes."),
        ("signed", "Signed", "Done: the minutes are signed and the record is final."),
    ],
)
def test_the_step_bar_says_what_comes_next(client, w, status, current, sentence):
    if status == "planned":
        meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["Opening"])
    else:
        meeting = _held(w)
    if status in ("agreed", "signed"):
        wd.minutes(meeting, status, states=[w.kz], agreed=[w.kz])
    client.login(w.coordinator.email)
    response = client.get(f"/meetings/{meeting.id}")
    body = response.get_data(as_text=True)
    assert re.search(rf'aria-current="step">{current}<', body), current
    assert sentence in page_text(response)
    assert '<ol class="step-bar">' in body


def test_titles_never_repeat_the_number(client, w):
    meeting = make_meeting(
        w.group,
        "3rd Meeting of the Ministers in charge of ICT",
        number="3rd Meeting",
        starts=soon(),
    )
    other = make_meeting(
        w.group, "Cyber Security Working Group", number="2nd Meeting", starts=soon(3)
    )
    client.login(w.coordinator.email)
    body = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "3rd Meeting · 3rd Meeting" not in body
    assert "<h1>3rd Meeting of the Ministers in charge of ICT</h1>" in body
    assert "<title>3rd Meeting of the Ministers in charge of ICT · " in body
    listing = page_text(client.get("/groups/cyber/meetings"))
    assert "3rd Meeting · 3rd Meeting" not in listing
    assert "2nd Meeting · Cyber Security Working Group" in listing
    body = client.get(f"/meetings/{other.id}").get_data(as_text=True)
    assert "<title>2nd Meeting · Cyber Security Working Group · " in body
    minutes = page_text(client.get(f"/meetings/{meeting.id}/minutes"))
    assert "Minutes: 3rd Meeting of the Ministers in charge of ICT" in minutes
    assert "(3rd Meeting)" not in minutes
    # Digests and emails name a meeting the same way.
    from konsey.notifications.wording import meeting_name

    assert meeting_name(meeting) == "3rd Meeting of the Ministers in charge of ICT"
    assert meeting_name(other) == "Cyber Security Working Group (2nd Meeting)"


def test_an_unknown_action_status_reads_as_its_name(app):
    from konsey.meetings.display import action_status_label

    with app.test_request_context():
        assert action_status_label(ActionStatus.IN_PROGRESS) == "in progress"
        assert action_status_label(ActionStatus.REPORTED) == "reported done"
        assert action_status_label("sent_back") == "sent back"


# The review item's live list -------------------------------------------------------
def test_review_item_lists_open_actions_and_undecided_decisions_live(client, w):
    previous = _held(w)
    record = wd.minutes(previous, "agreed", states=[w.kz], agreed=[w.kz])
    with_action = wd.decision(record, previous.agenda[1], "Exchange threat data monthly.")
    wd.decision(record, previous.agenda[2], "Meet again in Astana.", 2)
    wd.action(w.group, "Monthly threat report", decision=with_action, state=w.kz)
    closing_soon = wd.action(w.group, "Draft the exercise plan", state=w.az, status="in_progress")
    wd.action(w.group, "Already done", status="done", state=w.kz)
    wd.action(w.other, "Another group's action", state=w.az)
    client.login(w.coordinator.email)
    response = client.post(
        "/groups/cyber/meetings/new",
        {
            "title": "Cyber Security Working Group",
            "number": "3rd Meeting",
            "date": (datetime.now(UTC) + timedelta(days=40)).date().isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "timezone": "Asia/Baku",
            "status": "planned",
            "add_review": "y",
        },
    )
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    text = page_text(client.get(f"/meetings/{meeting_id}"))
    review = text[text.index("1. Review of previous decisions and open actions") :]
    review = review[: review.index("Documents of this meeting")]
    assert "Monthly threat report" in review and "Draft the exercise plan" in review
    assert "in progress" in review and "AZ" in review
    assert "Already done" not in review and "Another group's action" not in review
    # The decision with an action is not listed; the one without is.
    decisions = review[review.index("Decisions of the previous meeting without an action") :]
    assert "Meet again in Astana." in decisions
    assert "Exchange threat data monthly." not in decisions
    # The list is live: an action closed after the agenda was made disappears.
    item = db.session.get(ActionItem, closing_soon.id)
    item.status = ActionStatus.DONE
    db.session.commit()
    text = page_text(client.get(f"/meetings/{meeting_id}"))
    assert "Draft the exercise plan" not in text
    assert "Monthly threat report" in text
    # Nothing of the list was copied into the item's own text.
    stored = db.session.scalars(
        db.select(AgendaItem.description).where(AgendaItem.meeting_id == meeting_id)
    ).one()
    assert "Monthly threat report" not in stored and "Draft the exercise plan" not in stored


def test_the_review_list_hides_decisions_of_minutes_the_reader_may_not_see(make_client, w):
    previous = _held(w)
    record = wd.minutes(previous, "draft")
    wd.decision(record, previous.agenda[1], "A decision still in draft.")
    meeting = make_meeting(w.group, "Next one", starts=soon(), agenda=["Review"])
    db.session.get(AgendaItem, meeting.agenda[0].id).is_review = True
    db.session.commit()
    url = f"/meetings/{meeting.id}"
    assert "A decision still in draft." not in page_text(
        as_user(make_client, w.kz_delegate).get(url)
    )
    assert "A decision still in draft." in page_text(as_user(make_client, w.coordinator).get(url))


# Bounded queries -------------------------------------------------------------------------
def _fill(w, meeting, n):
    """n papers, decisions and actions spread over the meeting's items, and n
    open actions of the group for the review item."""
    record = db.session.scalar(db.select(wd.Minutes).where(wd.Minutes.meeting_id == meeting.id))
    if record is None:
        record = wd.minutes(meeting, "circulated", states=[w.kz, w.az], agreed=[w.kz])
    items = list(meeting.agenda)
    for i in range(n):
        item = items[i % len(items)]
        wd.paper(w.group, item, f"Paper {meeting.id}-{i}", by=w.kz_delegate, languages=("en", "tr"))
        d = wd.decision(record, item, f"Decision {i}", i + 1)
        wd.action(w.group, f"Action {i}", decision=d, state=w.kz)
        wd.action(w.group, f"Item action {i}", item=item, state=w.az)


@pytest.mark.parametrize("who", ["coordinator", "kz_delegate", "hu_observer"])
def test_the_workspace_runs_a_fixed_number_of_queries(client, w, count_queries, who):
    # Each meeting's review item looks back at an earlier meeting with minutes.
    older = make_meeting(
        w.group, "Older", starts=datetime.now(UTC) - timedelta(days=30), agenda=["Old item"]
    )
    _fill(w, older, 1)
    small = _held(w, title="Small")
    big = make_meeting(
        w.group,
        "Big",
        starts=datetime.now(UTC) - timedelta(days=1),
        status="held",
        agenda=["Review", *[f"Item {i}" for i in range(20)]],
    )
    for m in (small, big):
        db.session.get(AgendaItem, m.agenda[0].id).is_review = True
    db.session.commit()
    _fill(w, small, 1)
    _fill(w, big, 15)
    small_id, big_id = small.id, big.id
    client.login(getattr(w, who).email)
    client.get(f"/meetings/{small_id}")
    with count_queries() as few:
        assert client.get(f"/meetings/{small_id}").status_code == 200
    with count_queries() as many:
        response = client.get(f"/meetings/{big_id}")
    text = page_text(response)
    assert "Item 19" in text and "Item action 14" in text
    if who != "hu_observer":
        assert "Paper " in text
    short = lambda qs: [q[:60] + " … " + q[-120:] for q in qs]  # noqa: E731
    assert len(many) == len(few), "\n".join(short(many)) + "\n----\n" + "\n".join(short(few))
    assert db.session.get(Meeting, big_id) is not None


def test_the_demo_meeting_page_shows_its_papers_decisions_and_actions(demo, client):
    from konsey.models import Decision, Minutes

    decision = db.session.scalars(db.select(Decision).order_by(Decision.id)).first()
    meeting = db.session.get(Minutes, decision.minutes_id).meeting
    action = db.session.scalars(
        db.select(ActionItem).where(ActionItem.decision_id == decision.id)
    ).first()
    client.login("coordinator@secretariat.example.org")
    response = client.get(f"/meetings/{meeting.id}")  # in the coordinator's language
    text, body = page_text(response), response.get_data(as_text=True)
    assert f"{meeting.group.name}: working paper" in text
    table = body[body.index('id="meeting-documents"') :]
    assert f"{meeting.group.name}: working paper</a>" in table
    assert decision.text[:60] in text
    assert action.title in text
    assert body.count('aria-current="step"') == 1


def test_a_cancelled_meeting_has_no_step_bar_and_nothing_next(client, w):
    meeting = make_meeting(w.group, "Called off", starts=soon(), status="cancelled")
    client.login(w.coordinator.email)
    response = client.get(f"/meetings/{meeting.id}")
    assert 'class="step-bar"' not in response.get_data(as_text=True)
    assert "This meeting is cancelled: nothing more is to be done." in page_text(response)
    assert "Cancel the meeting" not in page_text(response)


def test_observers_see_the_workspace_without_controls(make_client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["Opening", "Budget"])
    response = as_user(make_client, w.hu_observer).get(f"/meetings/{meeting.id}")
    text, body = page_text(response), response.get_data(as_text=True)
    assert "1. Opening" in text and "2. Budget" in text
    assert 'aria-current="step">Agenda<' in body
    for control in ["Edit the meeting", "Delete", "Move up", "Cancel the meeting"]:
        assert control not in text
    assert "data-reorder-url" not in body and "data-confirm" not in body
