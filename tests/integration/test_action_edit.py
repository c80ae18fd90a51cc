"""Editing an action with a history, actions from a decision (no silent
duplicate), source labels by agenda and decision numbers, XLSX exports,
query counts (issue 15, items 3 and 6)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from konsey.actions import services
from konsey.extensions import db
from konsey.models import ActionItem, ActionUpdate, AgendaItem, Decision, Meeting, Minutes
from tests.integration.test_actions import (
    actor,
    build_council,
    login,
    make_action,
    page_text,
    update,
)

TITLES = ["Opening", "Adoption of the agenda", "Cyber Security", "TASIM", "E-Government",
          "Place and date of the 3rd Meeting"]  # fmt: skip


@pytest.fixture
def council(ctx):
    c = build_council()
    start = datetime(2017, 11, 9, 7, 0, tzinfo=UTC)
    second = Meeting(group=c["wg"], title="2nd Meeting", timezone="Europe/Istanbul",
                     starts_at=start)  # fmt: skip
    third = Meeting(group=c["wg"], title="3rd Meeting", timezone="Asia/Almaty",
                    starts_at=start + timedelta(days=365))  # fmt: skip
    items = [AgendaItem(meeting=second, position=n, title=t) for n, t in enumerate(TITLES, 1)]
    other_item = AgendaItem(meeting=third, position=1, title="Review of open actions")
    minutes, minutes3 = Minutes(meeting=second), Minutes(meeting=third)
    decisions = [
        Decision(minutes=minutes, position=1, text="The agenda is adopted.", agenda_item=items[1]),
        Decision(minutes=minutes, position=2, agenda_item=items[5],
                 text="Kazakhstan informs the Secretariat of the place and date."),
    ]  # fmt: skip
    other_decision = Decision(minutes=minutes3, position=1, text="Noted.", agenda_item=other_item)
    db.session.add_all([second, third, *items, other_item, minutes, minutes3, *decisions,
                        other_decision])  # fmt: skip
    db.session.commit()
    c.update(second=second, third=third, items=items, other_item=other_item,
             decisions=decisions, other_decision=other_decision)  # fmt: skip
    return c


def _form(c, item: ActionItem, **overrides) -> dict:
    data = {
        "title": item.title,
        "description": item.description,
        "owner_state": str(item.owner_state_id or 0),
        "assignee": str(item.assignee_id or 0),
        "due_date": item.due_date.isoformat(),
        "priority": item.priority.value,
        "meeting": str(item.meeting_id or 0),
        "agenda_item": str(item.agenda_item_id or 0),
        "decision": str(item.decision_id or 0),
        "comment": "",
    }
    data.update(overrides)
    return data


def _history(item_id) -> list[ActionUpdate]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(ActionUpdate).filter_by(action_id=item_id).order_by("id"))
    )


# --- edit ----------------------------------------------------------------------------
def test_a_coordinator_edits_and_each_change_is_in_the_history(council, client):
    item = make_action(council, due=date(2026, 12, 22))
    login(client, "coord@sec.example.org")
    url = f"/groups/wg/actions/{item.id}/edit"
    page = page_text(client.get(url))
    assert 'value="2026-12-22"' in page and "Edit the action" in page
    data = _form(
        council, item, due_date="2027-01-29", priority="high",
        owner_state=str(council["states"]["TR"].id),
        agenda_item=str(council["items"][5].id), comment="Agreed at the meeting.",
    )  # fmt: skip
    response = client.post(url, data, follow_redirects=True)
    assert response.status_code == 200, page_text(response)[-1500:]
    page = page_text(response)
    assert "The action is changed." in page
    assert "due date 2026-12-22 → 2027-01-29" in page
    assert "priority normal → high" in page
    assert "owing state KZ · State KZ → TR · State TR" in page
    assert "agenda item — → item 6, Place and date of the 3rd Meeting" in page
    assert "Agreed at the meeting." in page
    last = _history(item.id)[-1]
    assert last.old_status == last.new_status
    assert {c["field"] for c in last.changes} == {"due_date", "priority", "owner_state",
                                                   "agenda_item", "meeting"}  # fmt: skip
    db.session.expire_all()
    item = db.session.get(ActionItem, item.id)
    assert item.due_date == date(2027, 1, 29) and item.meeting_id == council["second"].id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"owner_state": "0", "assignee": "0"}, "Say who owes this action"),
        ({"due_date": "2020-01-01"}, "The due date is in the past"),
        ({"due_date": "31.12.2026"}, ""),
        ("other_item", "not on this meeting's agenda"),
        ("other_decision", "not in this meeting's minutes"),
    ],
)
def test_bad_edits_change_nothing(council, client, overrides, message):
    item = make_action(council, due=date.today() + timedelta(days=30),
                       meeting_id=council["second"].id)  # fmt: skip
    login(client, "coord@sec.example.org")
    if overrides == "other_item":  # an agenda item of another meeting
        overrides = {"agenda_item": str(council["other_item"].id)}
    elif overrides == "other_decision":  # a decision of another meeting
        overrides = {"decision": str(council["other_decision"].id)}
    response = client.post(f"/groups/wg/actions/{item.id}/edit", _form(council, item, **overrides))
    assert 400 <= response.status_code < 500
    assert message in page_text(response).replace("&#39;", "'")
    assert len(_history(item.id)) == 1
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).agenda_item_id is None


def test_nothing_changed_is_said(council, client):
    item = make_action(council, due=date.today() + timedelta(days=30))
    login(client, "coord@sec.example.org")
    response = client.post(f"/groups/wg/actions/{item.id}/edit", _form(council, item))
    assert response.status_code == 422 and "Nothing was changed." in page_text(response)


@pytest.mark.parametrize("who", ["head_kz", "delegate_kz", "observer", "delegate_tr"])
def test_only_coordinators_edit(council, client, who):
    item = make_action(council, due=date.today() + timedelta(days=30))
    login(client, council["people"][who].email)
    assert client.get(f"/groups/wg/actions/{item.id}/edit").status_code == 403
    data = _form(council, item, title="Changed")
    assert client.post(f"/groups/wg/actions/{item.id}/edit", data).status_code == 403
    assert "Edit this action" not in page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert len(_history(item.id)) == 1


def test_the_api_edits_with_patch(council, client):
    from konsey import audit
    from konsey.auth.api_tokens import create_token

    item = make_action(council, due=date(2026, 12, 22))
    tokens = {}
    for who in ("coordinator", "head_kz"):
        _, secret = create_token(audit.SYSTEM, council["people"][who], "system")
        tokens[who] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    url = f"/api/v1/actions/{item.id}"
    response = client.http.patch(url, json={"due_date": "2027-01-29"}, headers=tokens["head_kz"])
    assert response.status_code == 403
    bad = {"meeting_id": council["second"].id, "agenda_item_id": council["other_item"].id}
    response = client.http.patch(url, json=bad, headers=tokens["coordinator"])
    assert response.status_code == 422
    assert response.json["error"]["field"] == "agenda_item_id"
    response = client.http.patch(
        url, json={"status": "in_progress", "title": "x"}, headers=tokens["coordinator"]
    )
    assert response.status_code == 422
    good = {"due_date": "2027-01-29", "meeting_id": council["second"].id,
            "agenda_item_id": council["items"][5].id, "owner_state": "TR"}  # fmt: skip
    response = client.http.patch(url, json=good, headers=tokens["coordinator"])
    assert response.status_code == 200, response.json
    assert response.json["due_date"] == "2027-01-29" and response.json["owner_state"] == "TR"
    assert response.json["source"]["agenda_item_number"] == 6
    assert response.json["source"]["agenda_item_title"] == "Place and date of the 3rd Meeting"
    history = client.http.get(url + "/updates", headers=tokens["coordinator"]).json
    changes = {c["field"]: (c["old"], c["new"]) for c in history[-1]["changes"]}
    assert changes["due_date"] == ("2026-12-22", "2027-01-29")
    assert history[-1]["old_status"] == history[-1]["new_status"] == "open"


# --- from a decision: no silent duplicate ---------------------------------------------
def test_another_action_from_a_decision_needs_an_explicit_confirmation(council, client):
    decision = council["decisions"][1]
    login(client, "coord@sec.example.org")
    url = f"/groups/wg/actions/from-decision/{decision.id}"
    page = page_text(client.get(url))
    assert "already has" not in page
    data = {"title": "Inform the Secretariat", "owner_state": str(council["states"]["KZ"].id),
            "assignee": "0", "due_date": (date.today() + timedelta(days=30)).isoformat(),
            "priority": "normal", "meeting": str(council["second"].id),
            "agenda_item": str(council["items"][5].id)}  # fmt: skip
    assert client.post(url, data).status_code == 302
    count = db.session.scalar(sa.select(sa.func.count(ActionItem.id)))
    page = page_text(client.get(url))
    assert "This decision already has 1 action" in page
    assert "Inform the Secretariat" in page and "Create another action for this decision" in page
    response = client.post(url, {**data, "title": "A second one"})
    assert response.status_code == 409
    assert "confirm that another is wanted" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == count
    response = client.post(url, {**data, "title": "A second one", "confirm_duplicate": "y"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == count + 1


def test_the_api_refuses_a_silent_duplicate_and_lists_the_existing(council, client):
    from konsey import audit
    from konsey.auth.api_tokens import create_token

    decision = council["decisions"][1]
    first = make_action(council, decision_id=decision.id, due=date.today() + timedelta(days=9))
    _, secret = create_token(audit.SYSTEM, council["people"]["coordinator"], "system")
    db.session.commit()
    h = {"Authorization": f"Bearer {secret}"}
    body = {"title": "Again", "owner_state": "KZ", "decision_id": decision.id,
            "due_date": (date.today() + timedelta(days=9)).isoformat()}  # fmt: skip
    response = client.http.post("/api/v1/groups/wg/actions", json=body, headers=h)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "duplicate_action"
    assert response.json["error"]["existing"] == [
        {"id": first.id, "title": first.title, "status": "open"}
    ]
    response = client.http.post(
        "/api/v1/groups/wg/actions", json={**body, "confirm_duplicate": True}, headers=h
    )
    assert response.status_code == 201
    assert response.json["source"]["decision_number"] == 2


# --- labels by numbers, never ids ---------------------------------------------------------
def test_sources_read_by_agenda_and_decision_numbers_everywhere(council, client):
    decision = council["decisions"][1]
    item = make_action(council, decision_id=decision.id, due=date.today() + timedelta(days=9))
    label = "2nd Meeting · item 6, Place and date of the 3rd Meeting · decision 2"
    login(client, "head@kz.example.org")
    assert label in page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert label in page_text(client.get("/groups/wg/actions"))
    rows = list(csv.reader(io.StringIO(
        client.get("/groups/wg/actions/export.csv").get_data().decode("utf-8-sig"))))  # fmt: skip
    assert rows[1][-1] == label
    assert f"agenda item {item.agenda_item_id}" not in page_text(client.get("/groups/wg/actions"))
    source = client.http.get(f"/api/v1/actions/{item.id}").json["source"]
    assert source["agenda_item_id"] == council["items"][5].id  # kept
    assert source["agenda_item_number"] == 6 and source["decision_number"] == 2
    assert source["label"] == label


def test_a_decision_removed_from_the_minutes_is_marked_on_the_action(council, client):
    decision = council["decisions"][1]
    item = make_action(council, decision_id=decision.id, due=date.today() + timedelta(days=9))
    if not hasattr(Decision, "removed_in_version"):
        pytest.skip("decisions in minutes versions are not merged yet")
    decision.removed_in_version = 3
    db.session.commit()
    login(client, "head@kz.example.org")
    page = page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert "removed in version 3 of the minutes" in page


# --- XLSX beside CSV ---------------------------------------------------------------
def test_xlsx_exports_have_the_csv_columns_typed_dates_and_the_same_filters(council, client):
    make_action(council, '=HYPERLINK("http://evil")', due=date(2026, 12, 22))
    make_action(council, "Bilgi: ğüşıöç", state="TR", due=date(2027, 1, 29))
    login(client, "head@kz.example.org")
    page = client.get("/groups/wg/actions?state=KZ").get_data(as_text=True)
    assert 'href="/groups/wg/actions/export.xlsx?state=KZ"' in page
    assert 'href="/actions/mine/export.xlsx"' in client.get("/actions/mine").get_data(as_text=True)
    response = client.get("/groups/wg/actions/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="actions-wg.xlsx"' in response.headers["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.get_data())).get_sheet_by_index(0)
    rows = rows.to_python()
    csv_rows = list(csv.reader(io.StringIO(
        client.get("/groups/wg/actions/export.csv").get_data().decode("utf-8-sig"))))  # fmt: skip
    assert rows[0] == csv_rows[0]
    assert rows[1][6] == date(2026, 12, 22) and rows[2][6] == date(2027, 1, 29)
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[2][2] == "Bilgi: ğüşıöç"
    filtered = client.get("/groups/wg/actions/export.xlsx?state=TR").get_data()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(filtered)).get_sheet_by_index(0).to_python()
    assert [r[2] for r in sheet[1:]] == ["Bilgi: ğüşıöç"]
    mine = client.get("/actions/mine/export.xlsx").get_data()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(mine)).get_sheet_by_index(0).to_python()
    assert [r[3] for r in sheet[1:]] == ["State KZ"]
    assert client.get("/groups/wg/actions/export.xlsx?status=bogus").status_code == 400


# --- bounded queries ------------------------------------------------------------------
def _spread(c, n: int) -> ActionItem:
    items = []
    for i in range(n):
        item = make_action(c, f"Item {i}", state=["KZ", "TR"][i % 2],
                           decision_id=c["decisions"][1].id, confirm_duplicate=True,
                           due=date.today() + timedelta(days=5 + i))  # fmt: skip
        if i % 3 == 0:
            update(c, "delegate_kz" if i % 2 == 0 else "delegate_tr", item, status="done",
                   reference="NV")  # fmt: skip
        if i % 4 == 0:
            services.edit_action(actor(c["people"]["coordinator"]), item, now=datetime.now(UTC),
                                 title=f"Item {i} (edited)")  # fmt: skip
        items.append(item)
    return items[0]


@pytest.mark.parametrize("url", ["/groups/wg/actions", "/actions/mine", "/actions/council",
                                 "/groups/wg/actions/export.xlsx", "ITEM", "EDIT"])  # fmt: skip
def test_pages_run_a_bounded_number_of_queries(council, client, count_queries, url):
    def measure(first):
        target = {"ITEM": f"/groups/wg/actions/{first.id}",
                  "EDIT": f"/groups/wg/actions/{first.id}/edit"}.get(url, url)  # fmt: skip
        with count_queries() as statements:
            assert client.get(target).status_code == 200
        return len(statements)

    first = _spread(council, 3)
    for _ in range(6):  # more updates on the first item
        update(council, "coordinator", first, comment="More")
    login(client, "coord@sec.example.org")
    small = measure(first)
    _spread(council, 40)
    for _ in range(20):
        update(council, "coordinator", first, comment="Still more")
    large = measure(first)
    assert large <= small, (url, small, large)


# --- the owners hear of an edit in their digest ---------------------------------------
def test_an_edit_is_in_the_owners_digest(ctx):
    from datetime import timedelta as days

    from konsey import audit
    from konsey.models import OutboxMessage
    from konsey.notifications import digests
    from tests.integration import digest_world

    day = digest_world.build()
    item = db.session.get(ActionItem, day.soon.id)
    services.edit_action(audit.Actor(day.coordinator), item, now=day.now,
                         due_date=item.due_date + days(days=20))  # fmt: skip
    digests.run(day.now + days(seconds=1), force=True)
    head = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "head@kz.example.org")
    )
    assert "Action updated: Nominate experts for the cyber exercise" in head.body_text
    assert "due date changed by" in head.body_text
