"""A council-wide document linked to an agenda item of its group's meeting:
the meeting and the item are named (and linked) only to readers who may open
that meeting, on the page and in the API (its answer and search hits)."""

from __future__ import annotations

import io

import pytest

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.documents import services
from konsey.extensions import db
from konsey.models import AgendaItem, Meeting
from tests import factories as f
from tests.integration.conftest import login_as

MEETING = "Secret planning meeting"
ITEM = "Position on the corridor"


@pytest.fixture
def linked(world):
    group = world["group"]
    meeting = Meeting(group=group, title=MEETING, timezone="UTC")
    item = AgendaItem(meeting=meeting, position=1, title=ITEM)
    db.session.add_all([meeting, item])
    db.session.flush()
    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        group,
        [services.Upload(io.BytesIO(b"Fibre corridor paper"), "corridor.txt")],
        title="Corridor paper",
        kind="report",
        language="en",
        visibility="council",
        agenda_item=item.id,
    )
    other = f.make_group("other")
    elsewhere = f.make_user("elsewhere@kz.example.org", state=world["states"]["KZ"])
    f.add(other, elsewhere, "delegate")
    world["users"]["elsewhere"] = elsewhere
    world["sessions"]["elsewhere"] = elsewhere.get_id()
    db.session.commit()
    return document, meeting, item


def _api(client, user, path):
    _, secret = create_token(audit.SYSTEM, user, "test")
    db.session.commit()
    return client.http.get(path, headers={"Authorization": f"Bearer {secret}"})


def test_a_reader_of_another_group_sees_no_meeting_nor_agenda_item(client, world, linked):
    document, meeting, _item = linked
    login_as(client, world, "elsewhere")
    page = client.get(f"/groups/wg/documents/{document.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Corridor paper" in text
    assert MEETING not in text and ITEM not in text
    assert f"/meetings/{meeting.id}" not in text

    answer = _api(client, world["users"]["elsewhere"], f"/api/v1/documents/{document.id}")
    assert answer.status_code == 200
    assert answer.json["agenda_item"] is None
    hits = _api(client, world["users"]["elsewhere"], "/api/v1/search?q=corridor")
    assert hits.status_code == 200, hits.get_data(as_text=True)
    found = [h for h in hits.json["results"] if h["kind"] == "document" and h["id"] == document.id]
    assert found and f"/meetings/{meeting.id}" not in str(found) and ITEM not in str(found)


def test_a_member_of_the_group_sees_the_meeting_and_its_link(client, world, linked):
    document, meeting, item = linked
    login_as(client, world, "expert")
    text = client.get(f"/groups/wg/documents/{document.id}").get_data(as_text=True)
    assert MEETING in text and ITEM in text
    assert f'href="/meetings/{meeting.id}"' in text
    answer = _api(client, world["users"]["expert"], f"/api/v1/documents/{document.id}")
    assert answer.json["agenda_item"] == item.id
