"""The minutes in the JSON API: the fields a program reads, a head of
delegation's position posted as JSON, and errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.minutes import services
from konsey.models import MinutesStatus
from tests.integration import minutes_world
from tests.integration.minutes_world import actor, minutes_of, snapshot

TEXT = "# Minutes\n\n1. Opening."


@pytest.fixture
def w(ctx):
    return minutes_world.build()


@pytest.fixture
def tokens(w):
    result = {}
    for name in ("coordinator", "signatory", "kz_head", "kz_delegate", "az_head", "hu_observer"):
        _token, secret = create_token(audit.SYSTEM, getattr(w, name), "api test")
        result[name] = {"Authorization": f"Bearer {secret}"}
    for name in ("outsider", "admin"):
        _token, secret = create_token(audit.SYSTEM, getattr(w, name), "api test")
        result[name] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return result


def draft(w):
    services.add_version(actor(w.coordinator), w.meeting, None, TEXT, now=datetime.now(UTC))
    return minutes_of(w.meeting)


def circulate(w, **kw):
    minutes = draft(w)
    now = datetime.now(UTC)
    services.circulate(
        actor(w.coordinator),
        minutes,
        deadline=kw.get("deadline", now + timedelta(days=7)),
        silence_procedure=kw.get("silence", False),
        now=now,
    )
    return minutes_of(w.meeting)


def url(w, tail=""):
    return f"/api/v1/meetings/{w.meeting.id}/minutes{tail}"


def test_minutes_fields(client, w, tokens):
    circulate(w)
    response = client.http.get(url(w), headers=tokens["kz_delegate"])
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "circulated"
    assert body["version"] == 1
    assert body["sha256"] is None
    assert body["silence_procedure"] is False
    assert body["comment_deadline"].endswith("+00:00")
    # One entry per participating member state; the observer state is not one.
    assert [p["state"] for p in body["positions"]] == ["AZ", "KZ"]
    for position in body["positions"]:
        assert position == {
            "state": position["state"],
            "state_name": {"AZ": "Azerbaijan", "KZ": "Kazakhstan"}[position["state"]],
            "position": "pending",
            "version": 1,
            "text": "",
            "recorded_at": None,
            "recorded_by": None,
        }
    assert body["versions"][0]["number"] == 1 and len(body["versions"][0]["sha256"]) == 64


def test_head_records_positions_until_agreed_then_signature(client, w, tokens):
    circulate(w)
    data = {"version": 1, "position": "reservation", "text": "Item 1 needs work."}
    response = client.http.post(url(w, "/positions"), json=data, headers=tokens["kz_head"])
    assert response.status_code == 200, response.json
    kz = {p["state"]: p for p in response.json["positions"]}["KZ"]
    assert kz["position"] == "reservation" and kz["text"] == "Item 1 needs work."
    assert kz["recorded_by"] == "head@kz.example.org" and kz["version"] == 1

    for head in ("kz_head", "az_head"):
        response = client.http.post(
            url(w, "/positions"), json={"version": 1, "position": "agree"}, headers=tokens[head]
        )
        assert response.status_code == 200, response.json
    assert response.json["status"] == "agreed"
    assert {p["position"] for p in response.json["positions"]} == {"agree"}

    # Agreed: the head can no longer change the position (409, with the reason).
    before = snapshot(w.meeting)
    response = client.http.post(
        url(w, "/positions"),
        json={"version": 1, "position": "reservation", "text": "x"},
        headers=tokens["kz_head"],
    )
    assert response.status_code == 409
    assert "only be signed now" in response.json["error"]["message"]
    assert snapshot(w.meeting) == before

    services.sign(actor(w.signatory), minutes_of(w.meeting), w.signatory, now=datetime.now(UTC))
    body = client.http.get(url(w), headers=tokens["hu_observer"]).json
    assert body["status"] == "signed"
    # Issue 15: the signed SHA-256 covers the text and the decisions.
    signed = minutes_of(w.meeting)
    assert body["sha256"] == signed.signed_sha256 == body["content_sha256"]
    assert body["signed_record"]["version"]["sha256"] == signed.current.sha256
    assert body["signed_by"] == "sg@secretariat.example.org"


@pytest.mark.parametrize(
    ("data", "status", "field", "message"),
    [
        ({"version": 1, "position": "reservation"}, 422, "text", "Say what the reservation is."),
        ({"version": 1, "position": "reservation", "text": "  "}, 422, "text", "reservation"),
        ({"version": 1, "position": "maybe"}, 422, "position", "Must be one of"),
        ({"version": 1, "position": "silence"}, 422, "position", "Must be one of"),
        ({"position": "agree"}, 422, "version", "required"),
        ({"version": "1", "position": "agree"}, 422, "version", "integer"),
        ({"version": 0, "position": "agree"}, 422, "version", "greater than or equal"),
        ({"version": 2**40, "position": "agree"}, 422, "version", ""),
        ({"version": 1}, 422, "position", "required"),
        ({"version": 1, "position": "agree", "text": "x" * 20_000}, 422, "text", ""),
        ({"version": 1, "position": "agree", "text": "\x01"}, 422, "text", "Control"),
        ({"version": 2, "position": "agree"}, 409, "version", "not the current version"),
    ],
)
def test_bad_positions_name_the_field(client, w, tokens, data, status, field, message):
    circulate(w)
    before = snapshot(w.meeting)
    response = client.http.post(url(w, "/positions"), json=data, headers=tokens["kz_head"])
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == field
    assert message in response.json["error"]["message"]
    assert snapshot(w.meeting) == before


def test_not_json_is_a_validation_error(client, w, tokens):
    circulate(w)
    response = client.http.post(url(w, "/positions"), data="version=1", headers=tokens["kz_head"])
    assert response.status_code == 422
    assert response.json["error"]["field"] in ("version", "position")


@pytest.mark.parametrize("who", ["kz_delegate", "coordinator", "admin", "signatory", "hu_observer"])
def test_only_the_head_posts_a_position(client, w, tokens, who):
    circulate(w)
    before = snapshot(w.meeting)
    response = client.http.post(
        url(w, "/positions"), json={"version": 1, "position": "agree"}, headers=tokens[who]
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert snapshot(w.meeting) == before


def test_outsiders_drafts_and_unknown_meetings(client, w, tokens):
    # No minutes yet: 404 with a message.
    response = client.http.get(url(w), headers=tokens["coordinator"])
    assert response.status_code == 404
    assert response.json["error"]["message"] == "This meeting has no minutes yet."
    assert (
        client.http.get("/api/v1/meetings/2147483647/minutes", headers=tokens["admin"]).status_code
        == 404
    )

    draft(w)
    # A draft: its writers see it, the delegations do not (403, as on the page).
    assert client.http.get(url(w), headers=tokens["coordinator"]).json["status"] == "draft"
    assert client.http.get(url(w), headers=tokens["signatory"]).status_code == 200
    for who in ("kz_delegate", "kz_head", "hu_observer", "outsider"):
        assert client.http.get(url(w), headers=tokens[who]).status_code == 403
    response = client.http.post(
        url(w, "/positions"), json={"version": 1, "position": "agree"}, headers=tokens["kz_head"]
    )
    assert response.status_code == 403

    assert client.http.get(url(w)).status_code == 401


def test_reading_settles_silence(client, w, tokens):
    minutes = circulate(w, silence=True)
    minutes.comment_deadline = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    body = client.http.get(url(w), headers=tokens["kz_delegate"]).json
    assert body["status"] == "agreed"
    assert {p["position"] for p in body["positions"]} == {"silence"}
    assert all(p["recorded_by"] is None for p in body["positions"])
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED


def test_openapi_documents_the_minutes(client):
    spec = client.http.get("/api/v1/openapi.json").json
    get = spec["paths"]["/api/v1/meetings/{meeting_id}/minutes"]["get"]
    post = spec["paths"]["/api/v1/meetings/{meeting_id}/minutes/positions"]["post"]
    assert "200" in get["responses"] and "403" in get["responses"]
    assert "requestBody" in post and {"409", "422"} <= set(post["responses"])
    schemas = spec["components"]["schemas"]
    assert {"status", "version", "sha256", "positions"} <= set(schemas["Minutes"]["properties"])
    assert {"state", "position", "version", "text"} <= set(schemas["MinutesPosition"]["properties"])
    assert set(schemas["MinutesPositionIn"]["required"]) == {"version", "position"}


# Issue 15: versions with their decisions through the API ------------------------------------
def test_api_writes_a_version_with_its_decisions(client, w, tokens):
    from konsey.models import AgendaItem, Meeting

    draft(w)
    coord = tokens["coordinator"]
    item = w.items[1]
    response = client.http.post(
        url(w, "/versions"),
        json={
            "text": TEXT + "\n2. CERTs.",
            "base_version": 1,
            "decisions": [{"text": "Exchange CERT contacts.", "agenda_item": item.id}],
        },
        headers=coord,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["version"] == 2
    assert body["decisions"] == [
        {
            "id": body["decisions"][0]["id"],
            "position": 1,
            "text": "Exchange CERT contacts.",
            "agenda_item": item.id,
            "agenda_item_number": 2,
        }
    ]
    assert len(body["content_sha256"]) == 64
    first = body["decisions"][0]["id"]

    # Omitted decisions are carried unchanged; same text and decisions: refused.
    before = snapshot(w.meeting)
    same = client.http.post(url(w, "/versions"), json={"text": TEXT + "\n2. CERTs."}, headers=coord)
    assert same.status_code == 422
    assert "same as version 2" in same.json["error"]["message"]
    # A stale base version: 409, nothing written.
    stale = client.http.post(
        url(w, "/versions"), json={"text": "# New", "base_version": 1}, headers=coord
    )
    assert stale.status_code == 409
    # An agenda item of another meeting: 422 naming the row, nothing written.
    other = Meeting(group=w.group, title="Other")
    foreign = AgendaItem(meeting=other, position=1, title="Elsewhere")
    db.session.add_all([other, foreign])
    db.session.commit()
    bad = client.http.post(
        url(w, "/versions"),
        json={"text": "# New", "decisions": [{"text": "X", "agenda_item": foreign.id}]},
        headers=coord,
    )
    assert bad.status_code == 422
    assert bad.json["error"]["field"] == "decisions.0"
    assert snapshot(w.meeting) == before

    # Leaving a decision out removes it in the new version.
    removed = client.http.post(
        url(w, "/versions"), json={"text": "# New", "decisions": []}, headers=coord
    )
    assert removed.status_code == 201
    assert removed.json["decisions"] == []
    assert removed.json["removed_decisions"] == [
        {"id": first, "text": "Exchange CERT contacts.", "removed_in_version": 3}
    ]


def test_api_versions_are_for_coordinators_only(client, w, tokens):
    circulate(w)
    before = snapshot(w.meeting)
    for name in ("kz_head", "kz_delegate", "hu_observer", "signatory", "outsider"):
        response = client.http.post(
            url(w, "/versions"), json={"text": "# Mine", "decisions": []}, headers=tokens[name]
        )
        assert response.status_code in (403, 404), (name, response.status_code)
    assert snapshot(w.meeting) == before
