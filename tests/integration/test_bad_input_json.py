"""Bad input to the API answers a 4xx that says why, never a 500, and
changes nothing: one JSON guard (depth, NUL, control characters, lone
surrogates, in any string or key) before any parsing; a write that a unique
index refuses because a parallel request made it first is a 409 with the
reason; draft minutes refuse a new comment deadline."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests
import sqlalchemy as sa

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.minutes import services as minutes_services
from konsey.models import Meeting, Membership, Role
from tests import factories as f
from tests.factories import PASSWORD
from tests.integration import minutes_world
from tests.integration.minutes_world import actor, minutes_of, page_text, snapshot
from tests.integration.test_meetings import meeting_form

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def w(ctx):
    return minutes_world.build()


@pytest.fixture
def api(make_client, w):
    _, secret = create_token(audit.SYSTEM, w.coordinator, "test")
    db.session.commit()
    http = make_client().http
    headers = {"Authorization": f"Bearer {secret}"}

    def post(path, body, method="post"):
        return getattr(http, method)(
            path, data=body, content_type="application/json", headers=headers
        )

    return post


def meetings_count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))


@pytest.mark.parametrize(
    ("body", "status", "field", "reason"),
    [
        (DEEP, 400, None, "nested too deeply"),
        ('{"title": ' + "[" * 40 + "]" * 40 + ', "timezone": "Asia/Baku"}', 400, None, "deeply"),
        ('{"title": "A\\ud800", "timezone": "Asia/Baku"}', 422, "title", "Unpaired surrogates"),
        ('{"title": "A\\udfff B", "timezone": "Asia/Baku"}', 422, "title", "Unpaired surrogates"),
        ('{"title": "A", "timezone": "Asia/Baku\\ud800"}', 422, "timezone", "Unpaired"),
        ('{"title": "A", "timezone": "Asia/Baku\\u0000"}', 422, "timezone", "Control"),
        ('{"title": "A\\u0000B", "timezone": "Asia/Baku"}', 422, "title", "Control"),
        ('{"title": "A\\u0085B", "timezone": "Asia/Baku"}', 422, "title", "Control"),
        ('{"title": "A\\u009bB", "timezone": "Asia/Baku"}', 422, "title", "Control"),
        ('{"title": "A\\u0007B", "timezone": "Asia/Baku"}', 422, "title", "Control"),
        ('{"title": "A", "timezone": "Asia/Baku", "x\\ud800": 1}', 400, None, "A key"),
        ('{"title": "A", "timezone": "Asia/Baku", "x\\u0000": 1}', 400, None, "A key"),
    ],
)
def test_the_json_guard_refuses_what_no_field_may_hold(api, w, body, status, field, reason):
    before = meetings_count()
    response = api(f"/api/v1/groups/{w.group.slug}/meetings", body)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert reason in response.json["error"]["message"]
    assert response.json["error"].get("field") == field
    assert meetings_count() == before


def test_a_meeting_title_with_a_line_break_is_refused_by_form_and_api(make_client, api, w):
    before = meetings_count()
    for title in ["Meeting\r\nBcc: all@example.org", "Meeting\u2028two", "A\tB"]:
        body = json.dumps({"title": title, "timezone": "Asia/Baku"})
        response = api(f"/api/v1/groups/{w.group.slug}/meetings", body)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.json["error"]["field"] == "title"
        assert "Line breaks" in response.json["error"]["message"]
    client = make_client()
    client.login(w.coordinator.email)
    response = client.post(
        f"/groups/{w.group.slug}/meetings/new",
        meeting_form(title="Meeting\r\nBcc: all@example.org"),
    )
    assert response.status_code == 422
    assert "Line breaks, tabs and control characters are not allowed here." in page_text(response)
    assert meetings_count() == before


@pytest.mark.parametrize("bad", ["\x85", "\x9b", "\x07", "\x1b[31m"])
def test_c1_and_c0_control_characters_are_refused_in_multi_line_text(make_client, w, bad):
    client = make_client()
    client.login(w.coordinator.email)
    before = snapshot(w.meeting)
    response = client.post(
        f"/meetings/{w.meeting.id}/minutes/versions", {"text": f"# Minutes\n\nOpening{bad}."}
    )
    assert response.status_code == 422
    assert "Control characters are not allowed." in page_text(response)
    assert snapshot(w.meeting) == before
    # Line breaks and tabs are text in a multi-line field.
    response = client.post(
        f"/meetings/{w.meeting.id}/minutes/versions", {"text": "# Minutes\r\n\r\n\tOpening."}
    )
    assert response.status_code == 302


def test_a_new_deadline_with_a_version_of_draft_minutes_is_a_422(make_client, w):
    minutes_services.add_version(
        actor(w.coordinator), w.meeting, None, "# Minutes\n\nOpening.", now=datetime.now(UTC)
    )
    client = make_client()
    client.login(w.coordinator.email)
    before = snapshot(w.meeting)
    response = client.post(
        f"/meetings/{w.meeting.id}/minutes/versions",
        {
            "text": "# Minutes\n\nOpening and close.",
            "new_deadline_date": "2030-01-10",
            "new_deadline_time": "18:00",
        },
    )
    assert response.status_code == 422, page_text(response)[:1000]
    assert "Draft minutes have no comment deadline" in page_text(response)
    assert snapshot(w.meeting) == before
    assert minutes_of(w.meeting).current.number == 1


# Races: real parallel requests to a threaded server -----------------------------------
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def browser(base: str, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.headers["Host"] = "konsey.test"  # the app's SERVER_NAME
    token = CSRF.search(session.get(f"{base}/login").text).group(1)
    answer = session.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session, CSRF.search(session.get(f"{base}/account").text).group(1)


def test_parallel_heads_of_delegation_for_one_state_one_wins_the_rest_409(live_url, w):
    kg = f.make_state("KG", "Kyrgyzstan", tz="Asia/Bishkek")
    people = [f.make_user(f"head{n}@kg.example.org", state=kg) for n in range(6)]
    db.session.commit()
    emails, state_id, slug = [p.email for p in people], str(kg.id), w.group.slug
    coordinators = [browser(live_url, w.coordinator.email) for _ in people]
    start = threading.Barrier(len(people))

    def add_head(args):
        (session, token), email = args
        start.wait()
        return session.post(
            f"{live_url}/groups/{slug}/roster",
            data={
                "email": email,
                "role": "head",
                "member_state": state_id,
                "csrf_token": token,
            },
            allow_redirects=False,
        )

    with ThreadPoolExecutor(len(people)) as pool:
        answers = list(pool.map(add_head, zip(coordinators, emails, strict=True)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [302] + [409] * (len(people) - 1), statuses
    for answer in answers:
        if answer.status_code == 409:
            assert "already has a head of delegation" in answer.text
    db.session.rollback()
    heads = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.member_state_id == kg.id, Membership.role == Role.HEAD)
    )
    assert heads == 1
