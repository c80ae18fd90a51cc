"""The meetings API: the field names a user would guess, instants that survive
any offset, and 403/404/422 (naming the field) with nothing changed."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.models import Meeting
from tests.integration.meetings_data import (
    audit_actions,
    build,
    count,
    make_meeting,
    reload,
    soon,
    utc,
)
from tests.integration.test_api import assert_error, assert_matches_schema

MEETING_FIELDS = {
    "id",
    "group",
    "title",
    "number",
    "starts_at",
    "ends_at",
    "timezone",
    "venue",
    "online_url",
    "status",
    "sequence",
    "agenda",
}
ITEM_FIELDS = {
    "id",
    "position",
    "title",
    "description",
    "lead_state",
    "lead_person",
    "duration_minutes",
    "outcome",
}


@pytest.fixture
def w(ctx):
    world = build(ctx)
    world.tokens = {}
    for who in ["admin", "coordinator", "kz_head", "kz_delegate", "hu_observer", "outsider"]:
        _token, secret = create_token(audit.SYSTEM, getattr(world, who), "test")
        world.tokens[who] = secret
    db.session.commit()
    return world


@pytest.fixture
def http(app):
    return app.test_client()


def as_(w, who) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.tokens[who]}"}


@pytest.fixture
def openapi(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


NEW = {
    "title": "Meeting of the Ministers in charge of ICT",
    "number": "2nd Meeting",
    "starts_at": "2017-11-09T10:00:00+03:00",
    "ends_at": "2017-11-09T13:30:00+03:00",
    "timezone": "Europe/Istanbul",
    "venue": "Çırağan Palace, Istanbul",
}


def test_coordinator_creates_a_meeting_and_reads_it_back(http, w, openapi):
    response = http.post("/api/v1/groups/cyber/meetings", json=NEW, headers=as_(w, "coordinator"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == MEETING_FIELDS
    assert body["starts_at"] == "2017-11-09T07:00:00+00:00"
    assert body["ends_at"] == "2017-11-09T10:30:00+00:00"
    assert (body["title"], body["number"], body["timezone"]) == (
        NEW["title"],
        "2nd Meeting",
        "Europe/Istanbul",
    )
    assert (body["venue"], body["online_url"], body["status"]) == (
        "Çırağan Palace, Istanbul",
        "",
        "planned",
    )
    assert (body["group"], body["agenda"], body["sequence"]) == ("cyber", [], 0)
    meeting = reload(Meeting, body["id"])
    assert (meeting.venue_city, meeting.venue_address) == ("Istanbul", "Çırağan Palace")
    assert meeting.starts_at == utc(2017, 11, 9, 7)
    assert audit_actions()[-1] == "meeting.create"

    # Members read it, with the shape the OpenAPI document declares.
    got = http.get(f"/api/v1/meetings/{body['id']}", headers=as_(w, "hu_observer"))
    assert got.status_code == 200
    assert got.get_json() == body
    schema = openapi["paths"]["/api/v1/meetings/{meeting_id}"]["get"]["responses"]["200"]
    assert_matches_schema(openapi, schema["content"]["application/json"]["schema"], body)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("2017-11-09T10:00:00+04:00", "2017-11-09T12:00:00+04:00"),  # Baku
        ("2017-11-09T12:00:00+06:00", "2017-11-09T14:00:00+06:00"),  # Bishkek
        ("2017-11-09T06:00:00Z", "2017-11-09T08:00:00Z"),
        ("2017-11-09T01:00:00-05:00", "2017-11-09T03:00:00-05:00"),
    ],
)
def test_any_offset_gives_the_same_instant(http, w, starts, ends):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    response = http.patch(
        f"/api/v1/meetings/{meeting.id}",
        json={"starts_at": starts, "ends_at": ends},
        headers=as_(w, "admin"),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["starts_at"], body["ends_at"]) == (
        "2017-11-09T06:00:00+00:00",
        "2017-11-09T08:00:00+00:00",
    )
    assert body["sequence"] == 1
    assert reload(Meeting, meeting.id).starts_at == utc(2017, 11, 9, 6)


def test_list_with_agendas_and_lead_states(http, w):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["Opening", "Drills"])
    meeting.agenda[1].lead_state_id = w.kz.id
    meeting.agenda[1].description = "Joint *exercise*"
    db.session.commit()
    make_meeting(w.group, "3rd Ministerial Meeting")  # date not yet known
    make_meeting(w.other, "Not ours", starts=soon())
    response = http.get("/api/v1/groups/cyber/meetings", headers=as_(w, "kz_delegate"))
    assert response.status_code == 200
    meetings = {m["title"]: m for m in response.get_json()}
    assert set(meetings) == {"Planning", "3rd Ministerial Meeting"}
    assert meetings["3rd Ministerial Meeting"]["starts_at"] is None
    agenda = meetings["Planning"]["agenda"]
    assert [set(i) for i in agenda] == [ITEM_FIELDS, ITEM_FIELDS]
    assert [(i["position"], i["title"], i["lead_state"]) for i in agenda] == [
        (1, "Opening", None),
        (2, "Drills", "KZ"),
    ]
    assert agenda[1]["description"] == "Joint *exercise*"


def test_patch_cancels_and_date_can_become_unknown(http, w):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    uid = meeting.ical_uid
    response = http.patch(
        f"/api/v1/meetings/{meeting.id}",
        json={"status": "cancelled"},
        headers=as_(w, "coordinator"),
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    response = http.patch(
        f"/api/v1/meetings/{meeting.id}",
        json={
            "starts_at": None,
            "ends_at": None,
            "venue": "Astana",
            "online_url": "https://meet.example.org/x",
        },
        headers=as_(w, "coordinator"),
    )
    body = response.get_json()
    assert (body["starts_at"], body["venue"], body["online_url"]) == (
        None,
        "Astana",
        "https://meet.example.org/x",
    )
    after = reload(Meeting, meeting.id)
    assert (after.ical_uid, after.sequence, after.venue_city, after.venue_address) == (
        uid,
        2,
        "Astana",
        "",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "starts_at": "2017-11-09T10:00:00"}, "starts_at"),  # no offset
        ({**NEW, "ends_at": "2017-11-09T10:00:00"}, "ends_at"),
        ({**NEW, "ends_at": "2017-11-09T09:00:00+03:00"}, "ends_at"),  # before the start
        ({**NEW, "ends_at": "2017-11-09T10:00:00+03:00"}, "ends_at"),  # no length at all
        ({**NEW, "ends_at": None}, "ends_at"),
        ({**NEW, "starts_at": "next Thursday"}, "starts_at"),
        ({**NEW, "timezone": "Asia/Atlantis"}, "timezone"),
        ({**NEW, "timezone": 42}, "timezone"),
        ({**NEW, "status": "postponed"}, "status"),
        ({**NEW, "title": ""}, "title"),
        ({**NEW, "title": "x" * 201}, "title"),
        ({**NEW, "title": "bad\x00title"}, "title"),
        ({**NEW, "venue": "x" * 130}, "venue"),
        ({**NEW, "online_url": "javascript:alert(1)"}, "online_url"),
        ({**NEW, "starts_at": "0001-01-01T00:00:00+05:00"}, "starts_at"),
        ({**NEW, "agenda": []}, "agenda"),
        ({**NEW, "colour": "red"}, "colour"),
        ({k: v for k, v in NEW.items() if k != "title"}, "title"),
        ({k: v for k, v in NEW.items() if k != "timezone"}, "timezone"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(http, w, body, field):
    before = audit_actions()
    response = http.post("/api/v1/groups/cyber/meetings", json=body, headers=as_(w, "coordinator"))
    assert_error(response, 422)
    assert response.get_json()["error"]["field"] == field, response.get_json()
    assert count(Meeting) == 0
    assert audit_actions() == before


def test_bad_patch_changes_nothing(http, w):
    meeting = make_meeting(w.group, "Planning", starts=utc(2030, 1, 1, 6))
    for body, field in [
        ({"ends_at": "2029-12-31T00:00:00+00:00"}, "ends_at"),
        ({"starts_at": "2030-01-01T06:00:00"}, "starts_at"),
        ({"title": "New", "timezone": "Mars/Olympus"}, "timezone"),
        ({"starts_at": None}, "starts_at"),  # the end stays: a start is needed
    ]:
        response = http.patch(f"/api/v1/meetings/{meeting.id}", json=body, headers=as_(w, "admin"))
        assert_error(response, 422)
        assert response.get_json()["error"]["field"] == field
    after = reload(Meeting, meeting.id)
    assert (after.title, after.starts_at, after.sequence) == ("Planning", utc(2030, 1, 1, 6), 0)


@pytest.mark.parametrize("who", ["kz_head", "kz_delegate", "hu_observer"])
def test_members_who_do_not_coordinate_get_403_and_change_nothing(http, w, who):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    response = http.post("/api/v1/groups/cyber/meetings", json=NEW, headers=as_(w, who))
    assert_error(response, 403, "forbidden")
    # Even a malformed body is refused for want of the right, not for its shape.
    response = http.patch(f"/api/v1/meetings/{meeting.id}", json={"title": ""}, headers=as_(w, who))
    assert_error(response, 403, "forbidden")
    assert count(Meeting) == 1
    assert reload(Meeting, meeting.id).title == "Planning"


def test_outsiders_unknown_ids_and_anonymous_callers(http, w):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    assert_error(http.get(f"/api/v1/meetings/{meeting.id}", headers=as_(w, "outsider")), 403)
    assert_error(http.get("/api/v1/groups/cyber/meetings", headers=as_(w, "outsider")), 403)
    assert_error(http.get("/api/v1/meetings/999999", headers=as_(w, "admin")), 404)
    assert_error(http.get("/api/v1/groups/nope/meetings", headers=as_(w, "admin")), 404)
    assert_error(
        http.patch("/api/v1/meetings/999999", json={"title": "x"}, headers=as_(w, "admin")), 404
    )
    assert_error(http.get(f"/api/v1/meetings/{meeting.id}"), 401)
    assert_error(http.post("/api/v1/groups/cyber/meetings", json=NEW), 401)


def test_session_callers_need_the_csrf_token_to_write(client, w):
    client.login(w.coordinator.email)
    assert client.http.get("/api/v1/groups/cyber/meetings").status_code == 200
    response = client.http.post("/api/v1/groups/cyber/meetings", json=NEW)
    assert response.status_code == 400
    response = client.http.post(
        "/api/v1/groups/cyber/meetings", json=NEW, headers={"X-CSRFToken": client.csrf()}
    )
    assert response.status_code == 201
    assert count(Meeting) == 1


def test_ics_through_the_api(http, w):
    meeting = make_meeting(w.group, "Planning", starts=utc(2030, 11, 8, 6), agenda=["Opening"])
    undated = make_meeting(w.group, "Undated")
    response = http.get(f"/api/v1/meetings/{meeting.id}.ics", headers=as_(w, "kz_delegate"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.get_data()).walk("VEVENT")[0]
    assert str(event["uid"]) == meeting.ical_uid
    assert event.decoded("dtstart") == utc(2030, 11, 8, 6)
    response = http.get(f"/api/v1/meetings/{undated.id}.ics", headers=as_(w, "kz_delegate"))
    assert_error(response, 404)
    assert "no date yet" in response.get_json()["error"]["message"]
    assert_error(http.get(f"/api/v1/meetings/{meeting.id}.ics", headers=as_(w, "outsider")), 403)


def test_openapi_lists_the_meetings_paths_and_fields(openapi):
    paths = openapi["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/groups/{slug}/meetings"])
    assert {"get", "patch"} <= set(paths["/api/v1/meetings/{meeting_id}"])
    assert "get" in paths["/api/v1/meetings/{meeting_id}.ics"]
    assert (
        "text/calendar"
        in paths["/api/v1/meetings/{meeting_id}.ics"]["get"]["responses"]["200"]["content"]
    )
    post = paths["/api/v1/groups/{slug}/meetings"]["post"]
    assert {"201", "403", "422"} <= set(post["responses"])
    schemas = openapi["components"]["schemas"]
    meeting = schemas["Meeting"]["properties"]
    assert set(meeting) == MEETING_FIELDS
    assert meeting["starts_at"]["format"] == "date-time"
    assert set(schemas["AgendaItem"]["properties"]) == ITEM_FIELDS
    assert {"title", "starts_at", "ends_at", "timezone", "venue", "online_url", "status"} <= set(
        schemas["MeetingCreate"]["properties"]
    )


@pytest.mark.parametrize("meeting_id", ["2147483648", "138583322805", "9" * 30])
def test_an_id_past_any_database_integer_is_404_for_every_method(http, w, meeting_id):
    """Found by the fuzzer: werkzeug checked the method before the id's range,
    so a PATCH answered 405 (only GET allowed) instead of 404."""
    url = f"/api/v1/meetings/{meeting_id}"
    assert_error(http.get(url, headers=as_(w, "coordinator")), 404)
    assert_error(http.patch(url, json={"title": "x"}, headers=as_(w, "coordinator")), 404)
    assert_error(http.post(f"{url}/minutes/positions", json={}, headers=as_(w, "kz_head")), 404)


@pytest.mark.parametrize("body", [[], "a string", 42])
def test_a_body_that_is_not_an_object_is_a_422_without_a_made_up_field(http, w, body):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    response = http.patch(f"/api/v1/meetings/{meeting.id}", json=body, headers=as_(w, "admin"))
    assert_error(response, 422)
    # marshmallow calls the body as a whole "_schema": no field of the API.
    assert "field" not in response.get_json()["error"], response.get_json()
    assert reload(Meeting, meeting.id).title == "Planning"
