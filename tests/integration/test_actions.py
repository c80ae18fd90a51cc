"""Action items: workflow, who may update, overdue by the owner's time zone,
lists and filters, my actions, the matrices, CSV, bad input, query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from konsey import audit
from konsey.actions import queries, services
from konsey.actions.overdue import Clock, is_overdue, local_today
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AuditEvent,
    Decision,
    Meeting,
    Minutes,
)
from tests import factories as f

ZONES = {
    "TR": "Europe/Istanbul",
    "AZ": "Asia/Baku",
    "KZ": "Asia/Almaty",
    "KG": "Asia/Bishkek",
}
EARLY = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # "now" when the test items are created


@pytest.fixture
def council(ctx):
    return build_council()


def build_council() -> dict:
    """Four member states in their capitals' zones, an observer state, two
    groups; in "wg" a coordinator, KZ and TR delegations, an observer."""
    with f.batch():
        states = {
            code: f.make_state(code, name=f"State {code}", tz=tz) for code, tz in ZONES.items()
        }
        states["HU"] = f.make_state("HU", status="observer", tz="Europe/Budapest")
        wg = f.make_group("wg", name="Cyber Security")
        other = f.make_group("other", name="E-Government")
        people = {
            "coordinator": f.make_user("coord@sec.example.org", name="Coordinator"),
            "admin": f.make_user("admin@sec.example.org", is_admin=True),
            "head_kz": f.make_user("head@kz.example.org", state=states["KZ"], name="Aigerim"),
            "delegate_kz": f.make_user("del@kz.example.org", state=states["KZ"], name="Daniyar"),
            "expert_kz": f.make_user("exp@kz.example.org", state=states["KZ"], name="Expert KZ"),
            "delegate_tr": f.make_user("del@tr.example.org", state=states["TR"], name="Elif"),
            "observer": f.make_user("obs@hu.example.org", state=states["HU"], name="Observer"),
            "outsider_kz": f.make_user("out@kz.example.org", state=states["KZ"], name="Outsider"),
            "secretary": f.make_user(
                "sec@sec.example.org", name="Secretary", timezone="Asia/Bishkek"
            ),
        }
        for who, role in [
            ("coordinator", "coordinator"),
            ("secretary", "coordinator"),
            ("head_kz", "head"),
            ("delegate_kz", "delegate"),
            ("expert_kz", "expert"),
            ("delegate_tr", "delegate"),
            ("observer", "observer"),
        ]:
            f.add(wg, people[who], role)
        f.add(other, people["coordinator"], "coordinator")
        f.add(other, people["head_kz"], "head")
    return {"states": states, "wg": wg, "other": other, "people": people}


def actor(user):
    return audit.Actor(user=user, ip="127.0.0.1")


def make_action(c, title="Inform the Secretariat", *, state="KZ", assignee=None, due=None,
                group=None, now=EARLY, **kw) -> ActionItem:  # fmt: skip
    return services.create_action(
        actor(c["people"]["coordinator"]),
        group or c["wg"],
        title=title,
        owner_state=c["states"][state] if state else None,
        assignee=c["people"][assignee] if assignee else None,
        due_date=due or date(2026, 11, 30),
        now=now,
        **kw,
    )


def update(c, who, item, **kw):
    return services.update_action(actor(c["people"][who]), item, now=EARLY, **kw)


def login(client, email: str) -> None:
    """Log in as ``email`` (after logging out whoever was logged in)."""
    client.logout()
    assert client.login(email).status_code == 302


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- overdue: one rule, by the owner's time zone ------------------------------------
@pytest.mark.parametrize(
    ("utc_time", "overdue_states"),
    [
        ("2026-11-30T17:59", set()),  # Bishkek 23:59 on the 30th
        ("2026-11-30T18:00", {"KG"}),  # Bishkek midnight, Almaty 23:00
        ("2026-11-30T19:30", {"KG", "KZ"}),
        ("2026-11-30T20:30", {"KG", "KZ", "AZ"}),
        ("2026-11-30T20:59", {"KG", "KZ", "AZ"}),  # Istanbul 23:59
        ("2026-11-30T21:00", {"KG", "KZ", "AZ", "TR"}),
    ],
)
def test_due_date_is_overdue_first_in_the_east(council, utc_time, overdue_states):
    items = {code: make_action(council, f"Item {code}", state=code) for code in ZONES}
    now = datetime.fromisoformat(utc_time).replace(tzinfo=UTC)
    clock = Clock.load(now)
    assert {code for code, item in items.items() if is_overdue(item, now)} == overdue_states
    listed = queries.list_actions(
        council["people"]["admin"], queries.ActionFilter(overdue=True), clock
    )
    assert {item.owner_state.code for item, _ in listed.rows} == overdue_states
    everything = queries.list_actions(council["people"]["admin"], queries.ActionFilter(), clock)
    assert {i.owner_state.code for i, overdue in everything.rows if overdue} == overdue_states
    matrix = queries.group_matrix(council["wg"], clock)
    assert {s.code for s in matrix.states if s and matrix.cell(s).overdue} == overdue_states
    assert sum(matrix.cell(s).open for s in matrix.states) == 4


def test_person_only_item_follows_the_persons_zone(council):
    item = make_action(council, state=None, assignee="secretary")  # Asia/Bishkek person
    assert item.owner_timezone == "Asia/Bishkek"
    just_after_midnight = datetime(2026, 11, 30, 18, 1, tzinfo=UTC)
    assert is_overdue(item, just_after_midnight)
    rows = queries.list_actions(
        council["people"]["admin"],
        queries.ActionFilter(overdue=True),
        Clock.load(just_after_midnight),
    ).rows
    assert [i.id for i, _ in rows] == [item.id]


def test_reported_done_and_cancelled_items_are_never_overdue(council):
    done = make_action(council, "Done one")
    cancelled = make_action(council, "Cancelled one")
    reported = make_action(council, "Reported one")
    update(council, "coordinator", done, status="done", reference="NV 1")
    update(council, "coordinator", cancelled, status="cancelled", comment="Overtaken")
    update(council, "delegate_kz", reported, status="done", reference="NV 2")
    assert reported.status == ActionStatus.REPORTED
    assert not is_overdue(reported, datetime(2027, 1, 1, tzinfo=UTC))
    late = datetime(2027, 1, 1, tzinfo=UTC)
    assert not is_overdue(done, late) and not is_overdue(cancelled, late)
    rows = queries.list_actions(
        council["people"]["admin"], queries.ActionFilter(overdue=True), Clock.load(late)
    ).rows
    assert rows == []


def test_local_today_is_the_date_in_the_zone():
    now = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
    assert local_today("Asia/Bishkek", now) == date(2026, 12, 1)
    assert local_today("Europe/Istanbul", now) == date(2026, 11, 30)


# --- workflow and who may update -------------------------------------------------
def test_delegate_reports_an_item_done_with_evidence_and_the_coordinator_acknowledges(
    council, client
):
    item = make_action(council, due=date.today() + timedelta(days=10))
    login(client, "del@kz.example.org")
    url = f"/groups/wg/actions/{item.id}"
    assert "Record progress" in page_text(client.get(url))
    response = client.post(url + "/update", {"status": "in_progress", "comment": "Drafting"})
    assert response.status_code == 302
    response = client.post(
        url + "/update",
        {"status": "done", "comment": "Sent", "reference": "Note verbale No. 12-3/456 of 20.11"},
        follow_redirects=True,
    )
    # A delegation's "done" is a report, for the secretariat to acknowledge.
    assert "Reported done: the secretariat will acknowledge it." in page_text(response)
    page = page_text(client.get(url))
    assert 'open</span> → <span class="action-status action-status-in_progress">in progress' in page
    assert 'progress</span> → <span class="action-status action-status-reported">reported' in page
    assert "Reference: Note verbale No. 12-3/456 of 20.11" in page
    assert "Daniyar" in page
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == ActionStatus.REPORTED
    login(client, "coord@sec.example.org")
    assert client.post(url + "/acknowledge", {}).status_code == 302
    login(client, "del@kz.example.org")
    page = page_text(client.get(url))
    assert "only a coordinator can reopen it" in page  # no form for a done item
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == ActionStatus.DONE
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == str(item.id))
    ).all()
    assert events.count("action.update") == 3 and "action.create" in events


@pytest.mark.parametrize("who", ["head_kz", "delegate_kz", "expert_kz", "coordinator", "admin"])
def test_who_may_update_a_kz_item(council, client, who):
    item = make_action(council, due=date.today() + timedelta(days=10))
    login(client, council["people"][who].email)
    response = client.post(f"/groups/wg/actions/{item.id}/update", {"comment": "Progress"})
    assert response.status_code == 302
    assert len(db.session.scalars(sa.select(ActionUpdate).filter_by(action_id=item.id)).all()) == 2


@pytest.mark.parametrize("who", ["delegate_tr", "observer", "outsider_kz"])
def test_others_may_not_update_a_kz_item(council, client, who):
    item = make_action(council, due=date.today() + timedelta(days=10))
    login(client, council["people"][who].email)
    response = client.post(f"/groups/wg/actions/{item.id}/update", {"comment": "Progress"})
    assert response.status_code == 403
    view = client.get(f"/groups/wg/actions/{item.id}")
    assert view.status_code == (403 if who == "outsider_kz" else 200)
    if view.status_code == 200:
        assert "Record progress" not in page_text(view)
    assert len(db.session.scalars(sa.select(ActionUpdate).filter_by(action_id=item.id)).all()) == 1


def test_the_named_person_may_update_but_their_colleagues_of_another_state_not(council, client):
    item = make_action(council, state="TR", assignee="delegate_tr",
                       due=date.today() + timedelta(days=3))  # fmt: skip
    login(client, "del@tr.example.org")
    assert (
        client.post(f"/groups/wg/actions/{item.id}/update", {"status": "done"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == ActionStatus.REPORTED
    login(client, "del@kz.example.org")
    assert client.post(f"/groups/wg/actions/{item.id}/update", {"comment": "x"}).status_code == 403


def _unchanged(item_id, status, updates):
    db.session.expire_all()
    item = db.session.get(ActionItem, item_id)
    assert item.status == status
    assert len(item.updates) == updates


def test_workflow_forbids_what_only_a_coordinator_may_do(council, client):
    item = make_action(council, due=date.today() + timedelta(days=10))
    update(council, "coordinator", item, status="done", reference="NV 7")
    login(client, "del@kz.example.org")
    url = f"/groups/wg/actions/{item.id}/update"
    response = client.post(url, {"status": "in_progress", "comment": "Reopen"})
    assert response.status_code == 422
    assert "only a coordinator can reopen or change it" in page_text(response)
    _unchanged(item.id, ActionStatus.DONE, 2)
    login(client, "coord@sec.example.org")
    response = client.post(url, {"status": "in_progress", "comment": "Not received"})
    assert response.status_code == 302
    _unchanged(item.id, ActionStatus.IN_PROGRESS, 3)


def test_only_a_coordinator_cancels_and_must_give_a_reason(council, client):
    item = make_action(council, due=date.today() + timedelta(days=10))
    url = f"/groups/wg/actions/{item.id}/update"
    login(client, "head@kz.example.org")
    response = client.post(url, {"status": "cancelled", "comment": "No longer needed"})
    assert response.status_code == 403  # the move exists, but is the coordinators'
    assert "Only a coordinator can cancel an action." in page_text(response)
    login(client, "coord@sec.example.org")
    response = client.post(url, {"status": "cancelled"})
    assert response.status_code == 422
    assert "Give the reason for cancelling" in page_text(response)
    _unchanged(item.id, ActionStatus.OPEN, 1)
    assert client.post(url, {"status": "cancelled", "comment": "Overtaken"}).status_code == 302
    _unchanged(item.id, ActionStatus.CANCELLED, 2)
    login(client, "del@kz.example.org")
    response = client.post(url, {"comment": "But we did it"})
    assert response.status_code == 422
    assert "This action is cancelled; only a coordinator can reopen or change it." in page_text(
        response
    )
    _unchanged(item.id, ActionStatus.CANCELLED, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "finished"}, "Unknown status"),
        ({"comment": "x" * 100_000}, "Field cannot be longer than 10000 characters."),
        ({"comment": ""}, "Change the status or write a comment."),
        ({"status": "open", "comment": ""}, "Change the status or write a comment."),
    ],
)
def test_bad_updates_change_nothing(council, client, data, message):
    item = make_action(council, due=date.today() + timedelta(days=10))
    login(client, "del@kz.example.org")
    response = client.post(f"/groups/wg/actions/{item.id}/update", data)
    assert response.status_code == 422
    assert message in page_text(response)
    _unchanged(item.id, ActionStatus.OPEN, 1)


# --- creating ------------------------------------------------------------------------
def _form(c, **overrides):
    data = {
        "title": "Informs of the place and date of the 3rd Ministerial Meeting",
        "description": "Through **diplomatic channels**.",
        "owner_state": str(c["states"]["KZ"].id),
        "assignee": "0",
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "priority": "high",
        "meeting": "0",
        "agenda_item": "0",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_an_action(council, client):
    login(client, "coord@sec.example.org")
    assert client.get("/groups/wg/actions/new").status_code == 200
    response = client.post("/groups/wg/actions/new", _form(council))
    assert response.status_code == 302
    page = page_text(client.get(response.headers["Location"]))
    assert "Informs of the place and date of the 3rd Ministerial Meeting" in page
    assert "<strong>diplomatic channels</strong>" in page
    assert "Created as open" in page
    assert "(Asia/Almaty)" in page


def test_delegates_cannot_create(council, client):
    login(client, "head@kz.example.org")
    assert client.get("/groups/wg/actions/new").status_code == 403
    assert client.post("/groups/wg/actions/new", _form(council)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"owner_state": "0"}, "Say who owes this action"),
        ({"assignee": "person:delegate_tr"}, "does not belong to State KZ"),
        ({"assignee": "person:outsider_kz"}, "Not a valid choice"),
        ({"owner_state": "state:HU"}, "Not a valid choice"),
        ({"due_date": "2017-11-09"}, "The due date is in the past"),
        ({"due_date": "30.11.2026"}, "Not a valid date value."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_actions_are_refused_with_a_clear_message(council, client, overrides, message):
    for key, value in list(overrides.items()):
        if value.startswith("person:"):
            overrides[key] = str(council["people"][value.split(":")[1]].id)
        if value.startswith("state:"):
            overrides[key] = str(council["states"][value.split(":")[1]].id)
    login(client, "coord@sec.example.org")
    response = client.post("/groups/wg/actions/new", _form(council, **overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


def test_past_due_date_needs_the_confirmation(council, client):
    login(client, "coord@sec.example.org")
    data = _form(council, due_date="2017-11-09", confirm_past_due="y")
    assert client.post("/groups/wg/actions/new", data).status_code == 302
    item = db.session.scalar(sa.select(ActionItem))
    assert item.due_date == date(2017, 11, 9)


def test_service_refuses_a_person_outside_the_group_and_observers(council):
    from konsey.errors import ValidationError

    with pytest.raises(ValidationError, match="not in this group") as exc:
        make_action(council, assignee="outsider_kz", due=date(2026, 12, 1))
    assert exc.value.field == "assignee"
    with pytest.raises(ValidationError, match="observer"):
        make_action(council, state=None, assignee="observer", due=date(2026, 12, 1))
    with pytest.raises(ValidationError, match="observer state"):
        make_action(council, state="HU", due=date(2026, 12, 1))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


@pytest.fixture
def decision(council):
    meeting = Meeting(group=council["wg"], title="2nd Meeting", timezone="Europe/Istanbul")
    minutes = Minutes(meeting=meeting)
    decision = Decision(
        minutes=minutes,
        position=1,
        text="Kazakhstan informs the Secretariat of the place and date of the 3rd meeting.",
    )
    db.session.add_all([meeting, minutes, decision])
    db.session.commit()
    return decision


def test_create_action_from_a_decision(council, client, decision):
    login(client, "coord@sec.example.org")
    url = f"/groups/wg/actions/from-decision/{decision.id}"
    form = page_text(client.get(url))
    assert "From this decision of the minutes" in form
    assert 'value="Kazakhstan informs the Secretariat' in form
    response = client.post(url, _form(council, title="Inform of the 3rd meeting"))
    assert response.status_code == 302
    item = db.session.scalar(sa.select(ActionItem))
    assert (item.decision_id, item.meeting_id) == (decision.id, decision.minutes.meeting_id)
    assert "2nd Meeting" in page_text(client.get(response.headers["Location"]))
    assert client.get(f"/groups/other/actions/from-decision/{decision.id}").status_code == 404
    login(client, "head@kz.example.org")
    assert client.get(url).status_code == 403


# --- lists, filters, my actions, matrices, CSV -------------------------------------------
@pytest.fixture
def spread(council):
    soon = date.today() + timedelta(days=3)
    later = date.today() + timedelta(days=40)
    items = {
        "kz_soon": make_action(council, "KZ soon", due=soon, now=datetime.now(UTC)),
        "kz_late": make_action(council, "KZ late", due=date(2020, 1, 1), confirm_past_due=True),
        "tr_later": make_action(council, "TR later", state="TR", due=later),
        "tr_elif": make_action(council, "TR Elif", state="TR", assignee="delegate_tr", due=later),
        "kz_done": make_action(council, "KZ done", due=later),
        "secretary": make_action(
            council, "Secretariat note", state=None, assignee="secretary", due=later
        ),
        "other_kz": make_action(council, "Other group KZ", group=council["other"], due=later),
    }
    update(council, "coordinator", items["kz_done"], status="done")
    return items


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return re.findall(r'/actions/\d+">([^<]+)</a></td>', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["KZ late", "KZ soon", "KZ done", "Secretariat note", "TR Elif", "TR later"]),
        ("?state=KZ", ["KZ late", "KZ soon", "KZ done"]),
        ("?state=none", ["Secretariat note"]),
        ("?state=TR&status=open", ["TR Elif", "TR later"]),
        ("?status=done", ["KZ done"]),
        ("?overdue=1", ["KZ late"]),
        ("?due_within=7", ["KZ soon"]),
        ("?person=ELIF", ["TR Elif"]),
        ("?status=open&status=in_progress&state=KZ", ["KZ late", "KZ soon"]),
        ("?sort=-due&state=KZ", ["KZ done", "KZ soon", "KZ late"]),
    ],
)
def test_group_list_filters(council, client, spread, query, expected):
    query = query.replace("ELIF", str(council["people"]["delegate_tr"].id))
    login(client, "obs@hu.example.org")  # observers read
    titles = _titles(client.get("/groups/wg/actions" + query))
    if "sort" in query:
        assert titles == expected
    else:
        assert sorted(titles) == sorted(expected)


def test_meeting_filter(council, client, decision):
    item = make_action(council, "From the meeting", meeting_id=decision.minutes.meeting_id)
    make_action(council, "Not from it")
    login(client, "coord@sec.example.org")
    assert _titles(client.get(f"/groups/wg/actions?meeting={item.meeting_id}")) == [
        "From the meeting"
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?state=Kazakhstan", "Filter by a two-letter state code, e.g. KZ."),
        ("?status=finished", "Unknown status."),
        ("?due_within=x", "Due within: a number of days from 0 to 3660."),
        ("?due_within=99999", "Due within: a number of days from 0 to 3660."),
        ("?overdue=maybe", "Use overdue=1 or overdue=0."),
        ("?person=-1", "Not a valid choice."),
    ],
)
def test_bad_filters_say_what_is_wrong(council, client, query, message):
    login(client, "coord@sec.example.org")
    for url in ("/groups/wg/actions", "/groups/wg/actions/export.csv", "/actions/mine"):
        response = client.get(url + query)
        assert response.status_code == 400
        assert message in page_text(response)


def test_my_actions(council, client, spread):
    login(client, "del@kz.example.org")  # KZ delegation in wg only
    assert sorted(_titles(client.get("/actions/mine"))) == ["KZ done", "KZ late", "KZ soon"]
    login(client, "head@kz.example.org")  # KZ head in both groups
    assert "Other group KZ" in _titles(client.get("/actions/mine"))
    login(client, "del@tr.example.org")
    assert sorted(_titles(client.get("/actions/mine"))) == ["TR Elif", "TR later"]
    login(client, "sec@sec.example.org")
    assert _titles(client.get("/actions/mine")) == ["Secretariat note"]
    login(client, "obs@hu.example.org")
    assert _titles(client.get("/actions/mine")) == []
    assert _titles(client.get("/actions/mine?overdue=1")) == []


def _matrix_cells(html: str) -> dict[str, list[str]]:
    rows = re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', html, re.S)
    return {
        " ".join(re.sub(r"<[^>]+>", " ", th).split()): re.findall(r">(\d+)</a>", tds)
        for th, tds in rows
    }


def test_group_home_shows_the_matrix_with_links(council, client, spread):
    login(client, "del@kz.example.org")
    html = client.get("/groups/wg").get_data(as_text=True)
    cells = _matrix_cells(html)
    assert cells["KZ State KZ"] == ["2", "1", "0", "1"]  # open, overdue, reported, done
    assert cells["TR State TR"] == ["2", "0", "0", "0"]
    assert cells["Secretariat / no member state"] == ["1", "0", "0", "0"]
    link = "/groups/wg/actions?state=KZ&amp;overdue=1"
    assert link in html
    assert _titles(client.get(link.replace("&amp;", "&"))) == ["KZ late"]
    open_link = re.search(r'href="(/groups/wg/actions\?state=KZ&amp;status=open[^"]*)"', html)
    assert sorted(_titles(client.get(open_link.group(1).replace("&amp;", "&")))) == [
        "KZ late",
        "KZ soon",
    ]


def test_council_matrix_for_the_secretariat(council, client, spread):
    login(client, "coord@sec.example.org")
    html = client.get("/actions/council").get_data(as_text=True)
    assert "Cyber Security" in html and "E-Government" in html
    cells = _matrix_cells(html)
    # KZ: Cyber Security (2 open, 1 overdue, 0 reported, 1 done) then E-Government (1 open).
    assert cells["KZ State KZ"] == ["2", "1", "0", "1", "1", "0", "0", "0"]
    assert cells["TR State TR"] == ["2", "0", "0", "0", "0", "0", "0", "0"]
    assert cells["AZ State AZ"] == ["0"] * 8  # a member state with nothing owed yet
    assert "/groups/other/actions?state=KZ" in html
    login(client, "head@kz.example.org")
    assert client.get("/actions/council").status_code == 403


def test_csv_export_keeps_cyrillic_and_turkish_text(council, client):
    make_action(council, "Сообщить Секретариату о месте и дате", due=date(2026, 12, 1))
    make_action(council, "Bilgi Teknolojileri Bakanları toplantısı: ğüşıöç İĞÜŞÖÇ", state="TR",
                due=date(2026, 12, 2))  # fmt: skip
    login(client, "head@kz.example.org")
    response = client.get("/groups/wg/actions/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Group", "Title"]
    assert [r[2] for r in rows[1:]] == [
        "Сообщить Секретариату о месте и дате",
        "Bilgi Teknolojileri Bakanları toplantısı: ğüşıöç İĞÜŞÖÇ",
    ]
    filtered = client.get("/groups/wg/actions/export.csv?state=TR").get_data()
    assert [r[3] for r in csv.reader(io.StringIO(filtered.decode("utf-8-sig")))][1:] == ["State TR"]
    mine = client.get("/actions/mine/export.csv").get_data().decode("utf-8-sig")
    assert "Сообщить Секретариату" in mine and "Bakanları" not in mine


def test_csv_cells_are_not_formulas(council, client):
    make_action(council, '=HYPERLINK("http://evil")', due=date(2026, 12, 1))
    login(client, "coord@sec.example.org")
    text = client.get("/groups/wg/actions/export.csv").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][2] == '\'=HYPERLINK("http://evil")'


# --- a bounded number of queries, whatever the number of items ---------------------
def _bulk(c, n: int) -> None:
    states = [c["states"][code] for code in ZONES]
    rows = [
        {
            "group_id": c["wg"].id,
            "title": f"Bulk {i}",
            "description": "",
            "owner_state_id": None if i % 8 == 5 else states[i % 4].id,
            "assignee_id": {2: c["people"]["delegate_kz"].id, 5: c["people"]["delegate_tr"].id}.get(
                i % 8
            ),
            "due_date": date(2026, 1, 1) + timedelta(days=i % 700),
            "status": ["open", "in_progress", "done", "cancelled"][i % 4],
            "priority": "normal",
            "created_at": EARLY,
            "updated_at": EARLY,
        }
        for i in range(n)
    ]
    for row in rows:  # a person of KZ may only owe for KZ
        if row["assignee_id"] == c["people"]["delegate_kz"].id:
            row["owner_state_id"] = c["states"]["KZ"].id
    db.session.execute(sa.insert(ActionItem), rows)
    db.session.commit()


COORDINATOR_PAGES = [
    "/groups/wg/actions",
    "/groups/wg/actions?overdue=1&state=KZ",
    "/groups/wg/actions?state=none&sort=-due",
    "/groups/wg/actions/export.csv",
    "/groups/wg",
    "/actions/council",
    "/api/v1/actions?per_page=500",
]
DELEGATE_PAGES = ["/actions/mine", "/actions/mine/export.csv", "/groups/wg/actions?page=2"]


def _query_counts(make_client, count_queries) -> dict[str, int]:
    counts = {}
    for who, urls in [("coord@sec.example.org", COORDINATOR_PAGES),
                      ("del@kz.example.org", DELEGATE_PAGES)]:  # fmt: skip
        client = make_client()
        login(client, who)
        for url in urls:
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[who + url] = len(statements)
    return counts


def test_pages_run_the_same_number_of_queries_for_10_and_2000_items(
    council, make_client, count_queries
):
    _bulk(council, 10)
    small = _query_counts(make_client, count_queries)
    _bulk(council, 1990)
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 2000
    large = _query_counts(make_client, count_queries)
    assert small == large
    assert max(large.values()) <= 15
