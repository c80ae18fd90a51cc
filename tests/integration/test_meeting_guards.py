"""Guards of the meeting and its agenda: a meeting that has taken place is
never cancelled; the agenda is frozen once its minutes are circulated;
deleting an item and cancelling ask first (konsey/confirm.py), and a skipped
or forged confirmation changes nothing; the whole order is set at once by
POST /meetings/<id>/agenda/order (the drag-and-drop script)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.models import Meeting, MeetingStatus
from tests.integration import workspace_data as wd
from tests.integration.meetings_data import (
    agenda_titles,
    audit_actions,
    build,
    make_meeting,
    page_text,
    reload,
    soon,
)

TOKEN_RE = re.compile(r'name="confirm" value="([^"]+)"')


@pytest.fixture
def w(ctx):
    return build(ctx)


def _begun(w, status="planned"):
    """A meeting that began an hour ago (still marked planned, or held)."""
    return make_meeting(
        w.group,
        "Under way",
        starts=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1),
        status=status,
        agenda=["Opening", "Budget"],
    )


# Cancelling --------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["planned", "held"])
def test_a_meeting_that_has_taken_place_cannot_be_cancelled(client, w, status):
    meeting = _begun(w, status)
    client.login(w.coordinator.email)
    page = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Cancel the meeting" not in page  # not offered...
    before = audit_actions()
    response = client.post_confirmed(f"/meetings/{meeting.id}/cancel")  # ...nor accepted
    assert response.status_code == 409
    assert "This meeting has taken place: it can no longer be cancelled." in page_text(response)
    assert reload(Meeting, meeting.id).status == MeetingStatus(status)
    # Nor through the edit form.
    form = client.post(
        f"/meetings/{meeting.id}/edit",
        {
            "title": "Under way",
            "date_unknown": "",
            "date": meeting.starts_at.date().isoformat(),
            "start_time": meeting.starts_at.strftime("%H:%M"),
            "end_time": (meeting.starts_at + timedelta(hours=2)).strftime("%H:%M"),
            "end_date": (meeting.starts_at + timedelta(hours=2)).date().isoformat(),
            "timezone": "UTC",
            "status": "cancelled",
        },
    )
    assert form.status_code == 409
    assert "it can no longer be cancelled" in page_text(form)
    assert reload(Meeting, meeting.id).status == MeetingStatus(status)
    assert audit_actions() == before


def test_the_api_cannot_cancel_a_meeting_that_has_taken_place(app, w):
    meeting = _begun(w, "held")
    _token, secret = create_token(audit.SYSTEM, w.coordinator, "test")
    db.session.commit()
    response = app.test_client().patch(
        f"/api/v1/meetings/{meeting.id}",
        json={"status": "cancelled"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 409
    assert "can no longer be cancelled" in response.get_data(as_text=True)
    assert reload(Meeting, meeting.id).status == MeetingStatus.HELD


def test_cancelling_asks_first_and_a_forged_confirmation_changes_nothing(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    client.login(w.coordinator.email)
    body = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'data-confirm="Cancel “Planning”? Calendars will show it as cancelled."' in body
    url = f"/meetings/{meeting.id}/cancel"
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Cancel “Planning”?" in page_text(asked) and "cannot be undone" in page_text(asked)
    assert reload(Meeting, meeting.id).status == MeetingStatus.PLANNED
    assert client.post(url, {"confirm": "yes"}).status_code == 400
    other = make_meeting(w.group, "Other", starts=soon(5))
    theirs = TOKEN_RE.search(client.post(f"/meetings/{other.id}/cancel").get_data(as_text=True))
    assert client.post(url, {"confirm": theirs.group(1)}).status_code == 400
    assert reload(Meeting, meeting.id).status == MeetingStatus.PLANNED
    assert reload(Meeting, other.id).status == MeetingStatus.PLANNED
    assert "meeting.cancel" not in audit_actions()
    assert client.post_confirmed(url).status_code == 302
    assert reload(Meeting, meeting.id).status == MeetingStatus.CANCELLED


# Deleting an agenda item ------------------------------------------------------------------
def test_deleting_an_item_asks_first_and_a_forged_confirmation_changes_nothing(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["Opening", "Budget"])
    opening, budget = meeting.agenda
    client.login(w.coordinator.email)
    body = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'data-confirm="Delete the agenda item “Opening”?"' in body
    url = f"/meetings/{meeting.id}/agenda/{opening.id}/delete"
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Delete the agenda item “Opening”?" in page_text(asked)
    assert client.post(url, {"confirm": "forged"}).status_code == 400
    theirs = TOKEN_RE.search(
        client.post(f"/meetings/{meeting.id}/agenda/{budget.id}/delete").get_data(as_text=True)
    )
    assert client.post(url, {"confirm": theirs.group(1)}).status_code == 400
    assert agenda_titles(meeting.id) == ["Opening", "Budget"]
    assert "agenda.delete" not in audit_actions()
    assert client.post_confirmed(url).status_code == 302
    assert agenda_titles(meeting.id) == ["Budget"]


# The frozen agenda ----------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["circulated", "agreed", "signed"])
def test_the_agenda_is_frozen_once_the_minutes_are_circulated(client, w, status):
    meeting = _begun(w, "held")
    opening, budget = meeting.agenda
    wd.minutes(meeting, status, states=[w.kz])
    client.login(w.coordinator.email)
    page = client.get(f"/meetings/{meeting.id}")
    text, body = page_text(page), page.get_data(as_text=True)
    reason = f"The minutes of this meeting are {status}: its agenda can no longer change."
    assert reason in text
    for control in ["Add an agenda item", "Move up", "Move down", "Delete"]:
        assert control not in text, control
    assert "drag-handle" not in body and "agenda-reorder.js" not in body
    assert f"/agenda/{opening.id}/delete" not in body
    base = f"/meetings/{meeting.id}/agenda"
    before = audit_actions()
    for path, data in [
        (f"{base}/new", {"title": "Late item"}),
        (f"{base}/{budget.id}", {"title": "Renamed"}),
        (f"{base}/{budget.id}/move", {"direction": "up"}),
        (f"{base}/order", {"items": [str(budget.id), str(opening.id)]}),
    ]:
        response = client.post(path, data)
        assert response.status_code == 409, path
        assert reason in response.get_data(as_text=True), path
    # A delete is refused before any confirmation is asked.
    response = client.post(f"{base}/{opening.id}/delete")
    assert response.status_code == 409 and reason in page_text(response)
    assert client.post_confirmed(f"{base}/{opening.id}/delete").status_code == 409
    assert agenda_titles(meeting.id) == ["Opening", "Budget"]
    assert audit_actions() == before


def test_a_draft_does_not_freeze_the_agenda(client, w):
    meeting = _begun(w, "held")
    wd.minutes(meeting, "draft")
    client.login(w.coordinator.email)
    assert "Add an agenda item" in page_text(client.get(f"/meetings/{meeting.id}"))
    response = client.post(f"/meetings/{meeting.id}/agenda/new", {"title": "Late item"})
    assert response.status_code == 302


# Reordering -----------------------------------------------------------------------------------
def _order(client, meeting, ids, **kw):
    return client.post(
        f"/meetings/{meeting.id}/agenda/order", {"items": [str(i) for i in ids]}, **kw
    )


def test_the_whole_order_is_set_at_once(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["A", "B", "C", "D"])
    a, b, c, d = (i.id for i in meeting.agenda)
    client.login(w.coordinator.email)
    body = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'data-reorder-url="/meetings/{meeting.id}/agenda/order"' in body
    assert 'src="/static/js/agenda-reorder.js" defer' in body
    response = _order(client, meeting, [d, a, b, c])
    assert response.status_code == 200
    assert response.get_json() == {"items": [d, a, b, c], "message": "“D” is now item 1."}
    assert agenda_titles(meeting.id) == ["D", "A", "B", "C"]
    assert audit_actions()[-1] == "agenda.reorder"
    assert reload(Meeting, meeting.id).sequence == 1  # calendars see the new agenda
    same = _order(client, meeting, [d, a, b, c])
    assert same.get_json()["message"] == "The order is unchanged."
    assert audit_actions().count("agenda.reorder") == 1


def test_a_bad_order_is_refused_and_changes_nothing(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["A", "B", "C"])
    other = make_meeting(w.other, "Theirs", starts=soon(), agenda=["X"])
    a, b, c = (i.id for i in meeting.agenda)
    x = other.agenda[0].id
    client.login(w.coordinator.email)  # coordinates both groups
    before = audit_actions()
    for ids in ([a, b], [a, b, c, x], [a, b, b], [c, b, x], [], [a, b, c, 2**40]):
        response = _order(client, meeting, ids)
        assert response.status_code == 409, ids
        assert "exactly once" in response.get_json()["error"]
    response = client.post(f"/meetings/{meeting.id}/agenda/order", {"items": ["a", "b"]})
    assert response.status_code == 400
    assert "ids" in response.get_json()["error"]
    # Without the CSRF token nothing changes either.
    assert _order(client, meeting, [c, b, a], csrf=False).status_code == 400
    assert agenda_titles(meeting.id) == ["A", "B", "C"]
    assert agenda_titles(other.id) == ["X"]
    assert audit_actions() == before


@pytest.mark.parametrize("who", ["kz_delegate", "kz_head", "hu_observer", "outsider"])
def test_only_coordinators_reorder(client, w, who):
    meeting = make_meeting(w.group, "Planning", starts=soon(), agenda=["A", "B"])
    a, b = (i.id for i in meeting.agenda)
    client.login(getattr(w, who).email)
    assert _order(client, meeting, [b, a]).status_code == 403
    assert agenda_titles(meeting.id) == ["A", "B"]
