"""The list of participants read as a user would: the printable view, the
CSV and XLSX exports (read back by an independent reader), the API and its
OpenAPI description, the order of states in the working language, and a
bounded number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openapi_spec_validator import validate as validate_openapi
from python_calamine import CalamineWorkbook

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from tests import factories as f
from tests.integration.meetings_data import build, make_meeting, page_text, soon, utc
from tests.integration.participants_data import account, named
from tests.integration.test_api import assert_error, assert_matches_schema

HEADERS = [
    "Delegation",
    "Code",
    "Observer state",
    "Name",
    "Title or function",
    "Organisation",
    "Email",
    "Konsey account",
    "Head of delegation",
    "Accreditation reference",
    "Accreditation date",
    "Confirmed",
    "Attended",
]


@pytest.fixture
def w(ctx):
    world = build(ctx)
    world.meeting = make_meeting(world.group, "2nd Meeting", starts=utc(2017, 11, 9, 7))
    named(
        world.meeting,
        "Yerlan Sadykov",
        world.kz,
        title="Vice Minister",
        organisation="=Ministry",  # a formula in a cell stays text
        email="sadykov@kz.example.org",
        is_head=True,
        accreditation_reference="No. 14-1/2017-1139",
        accreditation_date=date(2017, 11, 1),
        attended=True,
        confirmed_at=utc(2017, 11, 6, 9),
    )
    account(world.meeting, world.kz_head, attended=False)
    account(world.meeting, world.az_head)
    named(world.meeting, "Hanna Guest", world.hu)
    named(world.meeting, "Secretariat Officer", None)
    world.tokens = {}
    for who in ["coordinator", "kz_head", "hu_observer", "outsider"]:
        _token, secret = create_token(audit.SYSTEM, getattr(world, who), "test")
        world.tokens[who] = secret
    db.session.commit()
    return world


def test_printable_view_has_the_list_and_no_navigation(client, w):
    client.login(w.hu_observer.email)
    response = client.get(f"/meetings/{w.meeting.id}/participants/print")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "site-header" not in html and "group-nav" not in html and "<form" not in html
    text = page_text(response)
    assert text.index("AZ Azerbaijan") < text.index("KZ Kazakhstan") < text.index("Secretariat")
    assert text.index("Secretariat Officer") < text.index("Observer states") < text.index("HU")
    assert "No. 14-1/2017-1139, 2017-11-01" in text
    assert "sadykov@kz.example.org" not in text  # an observer does not see emails


def _csv(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_export_for_the_secretariat_and_for_an_observer(client, w):
    client.login(w.coordinator.email)
    response = client.get(f"/meetings/{w.meeting.id}/participants.csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == HEADERS
    assert [r[3] for r in rows[1:]] == [
        "Elvin Head",
        "Yerlan Sadykov",
        "Nurlan Head",
        "Secretariat Officer",
        "Hanna Guest",
    ]
    minister = rows[2]
    assert minister == [
        "Kazakhstan",
        "KZ",
        "0",
        "Yerlan Sadykov",
        "Vice Minister",
        "'=Ministry",
        "sadykov@kz.example.org",
        "0",
        "1",
        "No. 14-1/2017-1139",
        "2017-11-01",
        "1",
        "1",
    ]
    assert rows[3][6] == "head@kz.example.org" and rows[3][12] == "0"
    assert rows[1][12] == ""  # not recorded
    assert rows[4][:2] == ["Secretariat", ""]
    assert rows[5][:3] == ["Hungary", "HU", "1"]
    client.logout()
    client.login(w.hu_observer.email)
    assert all(
        r[6] == "" for r in _csv(client.get(f"/meetings/{w.meeting.id}/participants.csv"))[1:]
    )


def test_xlsx_export_keeps_dates_and_booleans_typed(client, w):
    client.login(w.kz_head.email)
    response = client.get(f"/meetings/{w.meeting.id}/participants.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.get_data()))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[0] == HEADERS
    minister = rows[2]
    assert minister[3] == "Yerlan Sadykov"
    assert minister[5] == "'=Ministry"
    assert minister[6] == "sadykov@kz.example.org"  # the head sees their state's emails
    assert minister[10] == date(2017, 11, 1)
    assert minister[8] is True and minister[12] is True
    assert rows[1][6] == ""  # not Azerbaijan's


def test_states_follow_the_working_language(client, w, app):
    w.kz.names = {"tr": "Kazakistan", "ru": "Казахстан"}
    w.az.names = {"tr": "Azerbaycan", "ru": "Азербайджан"}
    turkey = f.make_state("TR", "Turkey", tz="Europe/Istanbul")
    turkey.names = {"tr": "Türkiye", "ru": "Турция"}
    uzbekistan = f.make_state("UZ", "Uzbekistan", tz="Asia/Tashkent")
    uzbekistan.names = {"tr": "Özbekistan", "ru": "Узбекистан"}
    named(w.meeting, "Turkish Minister", turkey)
    named(w.meeting, "Uzbek Minister", uzbekistan)
    client.login(w.coordinator.email)

    def order():
        text = page_text(client.get(f"/meetings/{w.meeting.id}/participants"))
        names = ["Elvin Head", "Yerlan Sadykov", "Turkish Minister", "Uzbek Minister"]
        return sorted(names, key=text.index)

    assert order() == ["Elvin Head", "Yerlan Sadykov", "Turkish Minister", "Uzbek Minister"]
    app.config["WORKING_LANGUAGE"] = "tr"
    try:
        # Özbekistan before Türkiye (Ö follows O in Turkish; by code point it would be last).
        assert order() == ["Elvin Head", "Yerlan Sadykov", "Uzbek Minister", "Turkish Minister"]
        app.config["WORKING_LANGUAGE"] = "ru"
        assert order() == ["Elvin Head", "Yerlan Sadykov", "Turkish Minister", "Uzbek Minister"]
    finally:
        app.config["WORKING_LANGUAGE"] = "en"


# The API ---------------------------------------------------------------------------------
@pytest.fixture
def openapi(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _get(app, w, who, meeting_id):
    return app.test_client().get(
        f"/api/v1/meetings/{meeting_id}/participants",
        headers={"Authorization": f"Bearer {w.tokens[who]}"},
    )


def test_api_lists_the_delegations_in_order(app, w, openapi):
    response = _get(app, w, "kz_head", w.meeting.id)
    assert response.status_code == 200
    body = response.get_json()
    path = openapi["paths"]["/api/v1/meetings/{meeting_id}/participants"]["get"]
    assert_matches_schema(
        openapi, path["responses"]["200"]["content"]["application/json"]["schema"], body
    )
    assert (body["meeting"], body["count"], body["working_language"]) == (w.meeting.id, 5, "en")
    assert [(d["member_state"], d["observer"]) for d in body["delegations"]] == [
        ("AZ", False),
        ("KZ", False),
        (None, False),
        ("HU", True),
    ]
    kz = body["delegations"][1]
    minister = kz["participants"][0]
    assert minister == {
        "id": minister["id"],
        "name": "Yerlan Sadykov",
        "title": "Vice Minister",
        "organisation": "=Ministry",
        "email": "sadykov@kz.example.org",
        "has_account": False,
        "head_of_delegation": True,
        "accreditation": {"reference": "No. 14-1/2017-1139", "date": "2017-11-01"},
        "registered_at": minister["registered_at"],
        "confirmed": True,
        "confirmed_at": "2017-11-06T09:00:00+00:00",
        "attended": True,
    }
    assert kz["participants"][1]["attended"] is False
    assert body["delegations"][0]["participants"][0]["attended"] is None
    assert body["delegations"][0]["participants"][0]["email"] is None  # not the head's state


def test_api_hides_emails_from_observers_and_refuses_strangers(app, w):
    body = _get(app, w, "hu_observer", w.meeting.id).get_json()
    assert all(p["email"] is None for d in body["delegations"] for p in d["participants"])
    assert_error(_get(app, w, "outsider", w.meeting.id), 403)
    assert_error(_get(app, w, "coordinator", 999_999), 404)
    assert_error(app.test_client().get(f"/api/v1/meetings/{w.meeting.id}/participants"), 401)


def test_openapi_describes_the_participants_and_validates(openapi):
    validate_openapi(openapi)
    assert "/api/v1/meetings/{meeting_id}/participants" in openapi["paths"]
    fields = openapi["components"]["schemas"]["Participant"]["properties"]
    assert {"name", "title", "organisation", "has_account", "head_of_delegation"} <= set(fields)
    assert {"accreditation", "confirmed", "attended"} <= set(fields)


# Bounded queries -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tail",
    ["/participants", "/participants/print", "/participants.csv", "/participants/attendance"],
)
def test_pages_run_a_fixed_number_of_queries(client, w, count_queries, tail):
    small = make_meeting(w.group, "Small", starts=soon(-1))
    big = make_meeting(w.group, "Big", starts=soon(-1))
    named(small, "Only One", w.kz)
    states = [f.make_state(f"Q{chr(65 + i)}", f"State {i}") for i in range(12)]
    for i in range(60):
        named(big, f"Person {i}", states[i % 12], confirmed_at=utc(2026, 11, 1) if i % 2 else None)
    for user in [w.kz_head, w.kz_delegate, w.az_head, w.hu_observer]:
        account(big, user, attended=True)
    small_url, big_url = f"/meetings/{small.id}{tail}", f"/meetings/{big.id}{tail}"
    client.login(w.coordinator.email)
    client.get(small_url)  # warm up
    with count_queries() as few:
        assert client.get(small_url).status_code == 200
    with count_queries() as many:
        response = client.get(big_url)
    assert response.status_code == 200
    assert len(many) == len(few), many


def test_demo_shows_kazakhstans_delegation(demo, client):
    from sqlalchemy import select

    from konsey.models import Meeting, User

    held = db.session.scalar(
        select(Meeting).where(Meeting.title == "2nd Meeting of the Ministers in charge of ICT")
    )
    head = db.session.scalar(select(User).where(User.email == "head.kz@kz.example.org"))
    head.locale = "en"  # the demo's head reads Russian
    db.session.commit()
    client.login(head.email)
    text = page_text(client.get(f"/meetings/{held.id}/participants"))
    kazakhstan = text[text.index("KZ Kazakhstan") : text.index("KG Kyrgyzstan")]
    assert "Yerlan Sadykov Head of delegation" in kazakhstan
    assert "Vice Minister of Information and Communications" in kazakhstan
    assert "No account No. 14-1/2017-1139, 2017-11-01 Confirmed Attended" in kazakhstan
    order = ["AZ Azerbaijan", "KZ Kazakhstan", "KG Kyrgyzstan", "TR Turkey", "Secretariat"]
    assert sorted(order, key=text.index) == order
