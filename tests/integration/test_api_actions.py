"""The action items API: a member state's system follows its actions with a
token; coordinators create; updaters PATCH; errors name the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.models import ActionItem, ActionStatus, ActionUpdate
from tests.integration.test_actions import build_council, make_action, update

FIELDS = {
    "id", "group", "title", "description", "owner_state", "assignee", "due_date",
    "owner_timezone", "status", "overdue", "priority", "source", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture
def council(ctx):
    return build_council()


@pytest.fixture
def tokens(council):
    out = {}
    for who in ("coordinator", "head_kz", "delegate_kz", "delegate_tr", "observer"):
        _, secret = create_token(audit.SYSTEM, council["people"][who], "system")
        out[who] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return out


def later(days=20) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def count_items() -> int:
    return db.session.scalar(sa.select(sa.func.count(ActionItem.id)))


def test_a_member_states_system_follows_its_actions(council, client, tokens):
    kz = make_action(council, "KZ item", due=date(2020, 5, 1), confirm_past_due=True)
    make_action(council, "TR item", state="TR", due=date.today() + timedelta(days=5))
    response = client.http.get("/api/v1/actions?state=KZ", headers=tokens["head_kz"])
    assert response.status_code == 200
    [item] = response.json
    assert set(item) == FIELDS
    assert item["id"] == kz.id
    assert item["owner_state"] == "KZ"
    assert item["assignee"] is None
    assert item["due_date"] == "2020-05-01"
    assert item["status"] == "open"
    assert item["overdue"] is True
    assert item["owner_timezone"] == "Asia/Almaty"
    assert item["source"] is None
    assert response.headers["X-Total-Count"] == "1"
    everything = client.http.get("/api/v1/actions", headers=tokens["head_kz"]).json
    assert {i["title"]: i["overdue"] for i in everything} == {"KZ item": True, "TR item": False}


def test_list_filters(council, client, tokens):
    make_action(council, "A", assignee="delegate_kz", due=date.today() + timedelta(days=2))
    b = make_action(council, "B", due=date.today() + timedelta(days=50))
    make_action(council, "C", group=council["other"], due=date.today() + timedelta(days=9))
    update(council, "delegate_kz", b, status="in_progress")
    h = tokens["coordinator"]

    def titles(query):
        response = client.http.get("/api/v1/actions" + query, headers=h)
        assert response.status_code == 200, response.json
        return [i["title"] for i in response.json]

    assert titles("") == ["A", "C", "B"]  # by due date
    assert titles("?group=wg") == ["A", "B"]
    assert titles("?assignee=DEL@kz.example.org") == ["A"]
    assert titles("?status=in_progress") == ["B"]
    assert titles("?overdue=false") == ["A", "C", "B"]
    assert titles("?overdue=true") == []
    assert titles(f"?due_before={later(10)}") == ["A", "C"]
    assert titles("?group=no-such-group") == []
    # The head of KZ is not in "other": its item is not listed for them.
    head = client.http.get("/api/v1/actions", headers=tokens["head_kz"]).json
    assert "C" in [i["title"] for i in head]  # the KZ head sits in both groups
    tr = client.http.get("/api/v1/actions", headers=tokens["delegate_tr"]).json
    assert [i["title"] for i in tr] == ["A", "B"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("?status=finished", "status"), ("?due_before=tomorrow", "due_before"),
     ("?overdue=perhaps", "overdue"), ("?per_page=100000", "per_page")],
)  # fmt: skip
def test_bad_list_filters_name_the_field(council, client, tokens, query, field):
    response = client.http.get("/api/v1/actions" + query, headers=tokens["coordinator"])
    assert response.status_code == 422
    assert response.json["error"]["field"] == field


def test_coordinator_creates_through_the_api(council, client, tokens):
    body = {
        "title": "Inform of the place and date of the 3rd Ministerial Meeting",
        "owner_state": "kz",
        "assignee": "head@kz.example.org",
        "due_date": later(),
        "priority": "high",
    }
    response = client.http.post(
        "/api/v1/groups/wg/actions", json=body, headers=tokens["coordinator"]
    )
    assert response.status_code == 201, response.json
    created = response.json
    assert (created["owner_state"], created["assignee"], created["status"]) == (
        "KZ",
        "head@kz.example.org",
        "open",
    )
    assert created["due_date"] == body["due_date"] and created["overdue"] is False
    history = client.http.get(
        f"/api/v1/actions/{created['id']}/updates", headers=tokens["delegate_tr"]
    ).json
    assert [(u["old_status"], u["new_status"]) for u in history] == [(None, "open")]


def test_delegates_cannot_create(council, client, tokens):
    body = {"title": "x", "owner_state": "KZ", "due_date": later()}
    response = client.http.post("/api/v1/groups/wg/actions", json=body, headers=tokens["head_kz"])
    assert response.status_code == 403
    assert count_items() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Length must be between 1 and 200."),
        ({"owner_state": "XX"}, "owner_state", "Unknown member state code."),
        ({"owner_state": None}, "owner_state", "Say who owes this action"),
        ({"assignee": "out@kz.example.org"}, "assignee", "is not in this group"),
        ({"assignee": "del@tr.example.org"}, "assignee", "does not belong to State KZ"),
        ({"assignee": "obs@hu.example.org", "owner_state": None}, "assignee", "observer"),
        ({"due_date": "2017-11-09"}, "due_date", "The due date is in the past"),
        ({"due_date": "30/11/2026"}, "due_date", "Not a valid date."),
        ({"priority": "urgent"}, "priority", "Must be one of"),
        # The field as the API names it (the service calls it "decision").
        ({"decision_id": 999999}, "decision_id", "not one of this group's"),
        ({"meeting_id": 999999}, "meeting_id", "not one of this group's"),
        ({"agenda_item_id": 999999}, "agenda_item_id", "not one of this group's"),
        ({"status": "done"}, "status", "Unknown field."),
    ],
)
def test_bad_new_actions_name_the_field(council, client, tokens, changes, field, message):
    body = {"title": "Inform", "owner_state": "KZ", "due_date": later(), **changes}
    response = client.http.post(
        "/api/v1/groups/wg/actions", json=body, headers=tokens["coordinator"]
    )
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert message in response.json["error"]["message"]
    assert count_items() == 0


def test_past_due_date_with_confirmation(council, client, tokens):
    body = {
        "title": "Late",
        "owner_state": "KZ",
        "due_date": "2017-11-09",
        "confirm_past_due": True,
    }
    response = client.http.post(
        "/api/v1/groups/wg/actions", json=body, headers=tokens["coordinator"]
    )
    assert response.status_code == 201
    assert response.json["overdue"] is True


def test_patch_records_progress_and_evidence(council, client, tokens):
    item = make_action(council, due=date.today() + timedelta(days=10))
    url = f"/api/v1/actions/{item.id}"
    h = tokens["delegate_kz"]
    assert client.http.patch(url, json={"status": "in_progress"}, headers=h).json["status"] == (
        "in_progress"
    )
    done = client.http.patch(
        url,
        json={"status": "done", "comment": "Sent", "reference": "NV No. 12-3/456, 20.11.2026"},
        headers=h,
    )
    # A delegation's "done" is a report: the secretariat acknowledges it.
    assert done.status_code == 200 and done.json["status"] == "reported"
    assert "reported" in done.json["notice"]
    history = client.http.get(url + "/updates", headers=tokens["observer"]).json
    assert [(u["old_status"], u["new_status"]) for u in history] == [
        (None, "open"),
        ("open", "in_progress"),
        ("in_progress", "reported"),
    ]
    assert history[-1]["reference"] == "NV No. 12-3/456, 20.11.2026"
    assert history[-1]["user"] == "del@kz.example.org"


@pytest.mark.parametrize(
    ("start", "who", "body", "code", "field", "message"),
    [
        ("open", "delegate_kz", {"status": "finished"}, 422, "status", "Must be one of"),
        ("open", "delegate_kz", {"comment": "x" * 100_000}, 422, "comment", "Longer than maximum"),
        # The move exists but is the coordinators': 403 (was 422 before the workflow table).
        ("open", "delegate_kz", {"status": "cancelled", "comment": "No"}, 403, "status",
         "Only a coordinator can cancel"),
        ("open", "coordinator", {"status": "cancelled"}, 422, "comment", "reason for cancelling"),
        ("done", "delegate_kz", {"status": "in_progress"}, 422, "status", "only a coordinator"),
        ("cancelled", "delegate_kz", {"comment": "We did it anyway"}, 422, "status",
         "This action is cancelled"),
        ("open", "delegate_kz", {}, 422, "comment", "Change the status or write a comment."),
        ("open", "delegate_kz", {"bogus": "TR"}, 422, "bogus", "Unknown field."),
        ("open", "delegate_kz", {"status": "open", "owner_state": "TR"}, 403, None,
         "Only a coordinator can edit"),
        # Forged statuses: reports and acknowledgements by the wrong side.
        ("open", "coordinator", {"status": "reported"}, 403, "status",
         "Only the owing delegation reports"),
        ("reported", "delegate_kz", {"status": "done"}, 403, "status",
         "Only a coordinator can acknowledge"),
        ("reported", "head_kz", {"status": "in_progress", "comment": "x"}, 403, "status",
         "Only a coordinator can send"),
        ("cancelled", "delegate_kz", {"status": "reported"}, 409, "status",
         "it cannot be reported done"),
        ("done", "head_kz", {"status": "done"}, 409, "status", "it cannot be reported done"),
        ("cancelled", "coordinator", {"status": "reported"}, 409, "status",
         "it cannot be reported done"),
        ("reported", "coordinator", {"status": "in_progress"}, 422, "comment",
         "why the report is sent back"),
        ("reported", "coordinator", {"status": "done", "expected_status": "open"}, 409,
         "status", "changed meanwhile"),
    ],
)  # fmt: skip
def test_bad_patches_change_nothing(
    council, client, tokens, start, who, body, code, field, message
):
    item = make_action(council, due=date.today() + timedelta(days=10))
    if start == "done":
        update(council, "coordinator", item, status="done")
    if start == "reported":
        update(council, "delegate_kz", item, status="done")
    if start == "cancelled":
        update(council, "coordinator", item, status="cancelled", comment="Overtaken")
    before = db.session.scalar(sa.select(sa.func.count(ActionUpdate.id)))
    response = client.http.patch(f"/api/v1/actions/{item.id}", json=body, headers=tokens[who])
    assert response.status_code == code, response.json
    assert response.json["error"].get("field") == field
    assert message in response.json["error"]["message"]
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).status == ActionStatus(start)
    assert db.session.scalar(sa.select(sa.func.count(ActionUpdate.id))) == before


def test_patch_is_refused_to_other_states_and_observers(council, client, tokens):
    item = make_action(council, due=date.today() + timedelta(days=10))
    for who in ("delegate_tr", "observer"):
        response = client.http.patch(
            f"/api/v1/actions/{item.id}", json={"comment": "hi"}, headers=tokens[who]
        )
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    assert (
        client.http.patch("/api/v1/actions/999999", json={}, headers=tokens["head_kz"]).status_code
        == 404
    )


def test_session_patch_needs_the_csrf_token(council, client):
    item = make_action(council, due=date.today() + timedelta(days=10))
    client.login("del@kz.example.org")
    url = f"/api/v1/actions/{item.id}"
    assert client.http.patch(url, json={"comment": "hi"}).status_code == 400
    token = client.csrf()
    response = client.http.patch(url, json={"comment": "hi"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_openapi_documents_the_action_api(client):
    spec = client.http.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert set(paths["/api/v1/actions/{action_id}"]) >= {"get", "patch"}
    assert "post" in paths["/api/v1/groups/{slug}/actions"]
    assert "get" in paths["/api/v1/actions/{action_id}/updates"]
    params = {p["name"] for p in paths["/api/v1/actions"]["get"]["parameters"]}
    assert params >= {"group", "state", "assignee", "status", "overdue", "due_before"}
    schemas = spec["components"]["schemas"]
    # "notice": only in the answer to a change that did something else than asked.
    assert set(schemas["Action"]["properties"]) == FIELDS | {"notice"}
    assert schemas["Action"]["properties"]["status"]["enum"] == [
        "open", "in_progress", "reported", "done", "cancelled"
    ]  # fmt: skip
    assert (
        "`reported` → `done` (acknowledge): coordinator"
        in (schemas["Action"]["properties"]["status"]["description"])
    )
    assert set(schemas["ActionPatch"]["properties"]) == {
        "status",
        "expected_status",
        "comment",
        "reference",
        "document_id",
        # an edit (coordinators)
        "title",
        "description",
        "owner_state",
        "assignee",
        "due_date",
        "priority",
        "meeting_id",
        "agenda_item_id",
        "decision_id",
        "confirm_past_due",
    }
    source = schemas["Source"]["properties"]
    assert {"agenda_item_number", "decision_number", "label", "agenda_item_id"} <= set(source)


def test_completion_can_attach_a_document_of_the_group(council, client, tokens):
    from konsey.models import Document, DocumentKind, Visibility

    def document(group, title):
        doc = Document(group=group, title=title, kind=DocumentKind.REPORT,
                       visibility=Visibility.GROUP)  # fmt: skip
        db.session.add(doc)
        db.session.commit()
        return doc

    ours = document(council["wg"], "Note verbale 12-3/456")
    theirs = document(council["other"], "Elsewhere")
    item = make_action(council, due=date.today() + timedelta(days=10))
    url = f"/api/v1/actions/{item.id}"
    h = tokens["delegate_kz"]
    response = client.http.patch(url, json={"status": "done", "document_id": theirs.id}, headers=h)
    assert response.status_code == 422
    assert response.json["error"]["field"] == "document_id"  # the API's name for it
    response = client.http.patch(url, json={"status": "done", "document_id": ours.id}, headers=h)
    assert response.status_code == 200
    assert client.http.get(url + "/updates", headers=h).json[-1]["document_id"] == ours.id
    client.login("del@kz.example.org")
    page = client.get(f"/groups/wg/actions/{item.id}").get_data(as_text=True)
    assert f'href="/groups/wg/documents/{ours.id}"' in page


def test_a_patch_to_an_id_past_any_database_integer_is_404(council, client, tokens):
    """Found by the fuzzer: it answered 405 (only GET allowed), as if the
    action existed but could not be changed."""
    for action_id in ("2147483648", "138583322805"):
        response = client.http.patch(
            f"/api/v1/actions/{action_id}", json={"comment": "x"}, headers=tokens["coordinator"]
        )
        assert response.status_code == 404, response.json
        assert response.json["error"]["code"] == "not_found"
