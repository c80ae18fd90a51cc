"""No route answers 500, whatever it is sent."""

from __future__ import annotations

import pytest

from tests.integration.conftest import login_as
from tests.integration.test_authorization_matrix import MATRIX, _url

HOSTILE_VALUES = [
    "",
    " ",
    "x" * 20_000,
    "\x00\x01\x02",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "Ωμέγα Қазақстан Türkçe 🇰🇿",
    "-1",
    "99999999999999999999999",
    "../../etc/passwd",
    "%s%n%x",
]
FIELDS = [
    "email",
    "password",
    "confirm",
    "current_password",
    "remember",
    "name",
    "locale",
    "timezone",
    "digest",
    "code",
    "name_tr",
    "name_ru",
    "status",
    "capital_timezone",
    "member_state",
    "is_admin",
    "slug",
    "mandate",
    "user",
    "role",
    "lang",
    # meetings and agendas
    "title",
    "number",
    "date_unknown",
    "date",
    "start_time",
    "end_date",
    "end_time",
    "venue_city",
    "venue_address",
    "online_url",
    "add_review",
    "description",
    "lead_state",
    "lead_user",
    "duration_minutes",
    "outcome",
    "direction",
    "attended",
    # action items
    "owner_state",
    "assignee",
    "due_date",
    "confirm_past_due",
    "priority",
    "meeting",
    "agenda_item",
    "comment",
    "reference",
    "document",
    # minutes ("agenda_item" and "comment" are listed above)
    "text",
    "note",
    "new_deadline_date",
    "new_deadline_time",
    "deadline_date",
    "deadline_time",
    "silence_procedure",
    "version",
    "position",
    "reservation_text",
    "decision",
    # documents ("title", "description", "agenda_item" are listed above)
    "file",
    "kind",
    "language",
    "visibility",
]
QUERY_PARAMS = [
    "page",
    "q",
    "state",
    "action",
    "actor",
    "object_type",
    "since",
    "until",
    "next",
    # document library filters
    "kind",
    "language",
    "meeting",
    "agenda_item",
    "sort",
]
# action item lists (web and API)
QUERY_PARAMS += ["status", "overdue", "due_within", "due_before", "person", "meeting", "sort"]
QUERY_PARAMS += ["group", "assignee", "per_page"]


@pytest.mark.parametrize("who", ["admin", "coordinator", "delegate"])
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_hostile_form_values_never_cause_a_server_error(app, client, world, who, value):
    login_as(client, world, who)
    token_id = world["tokens"][who][0]
    for method, rule in sorted(MATRIX):
        if method != "POST" or rule in ("/logout",):
            continue
        url = _url(rule, world["params"], token_id)
        data = dict.fromkeys(FIELDS, value)
        data["csrf_token"] = client.csrf()
        response = client.http.post(url, data=data)
        assert response.status_code < 500, (url, value[:40], response.status_code)


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_hostile_query_strings_never_cause_a_server_error(app, client, world, value):
    login_as(client, world, "admin")
    token_id = world["tokens"]["admin"][0]
    for method, rule in sorted(MATRIX):
        if method != "GET":
            continue
        url = _url(rule, world["params"], token_id)
        response = client.http.get(url, query_string=dict.fromkeys(QUERY_PARAMS, value))
        assert response.status_code < 500, (url, value[:40], response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/groups/%00",
        "/groups/" + "a" * 5000,
        "/admin/users/99999999999999999999",
        "/api/v1/groups/%F0%9F%87%B0",
        "/password/reset/" + "x" * 10_000,
    ],
)
def test_hostile_paths(app, client, world, path):
    login_as(client, world, "admin")
    assert client.http.get(path).status_code < 500
