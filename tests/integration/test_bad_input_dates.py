"""Dates and instants a person types are range-checked by one rule
(konsey.validation.check_date / check_instant), and a stored value at the
calendar's ends (legacy data, written before the rule) never takes a page
down for a reader whose zone's offset would carry it past year 9999."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from konsey import audit
from konsey.actions import services as action_services
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.minutes import services as minutes_services
from konsey.models import ActionItem, Meeting, MeetingStatus, Minutes
from konsey.notifications import digests, immediate, reminders
from tests.integration import minutes_world
from tests.integration.minutes_world import actor, minutes_of, page_text, snapshot
from tests.integration.test_minutes import circulated

FAR = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)


@pytest.fixture
def w(ctx):
    return minutes_world.build()


@pytest.fixture
def legacy(w):
    """Rows holding instants at the calendar's end, written straight to the
    database as old data would be (no validation on the way)."""
    minutes = circulated(w)
    db.session.execute(
        sa.update(Minutes).where(Minutes.id == minutes.id).values(comment_deadline=FAR)
    )
    far_meeting = Meeting(
        group=w.group,
        title="Far meeting",
        starts_at=FAR - timedelta(hours=2),
        ends_at=FAR,
        timezone="Asia/Tokyo",
        status=MeetingStatus.PLANNED,
    )
    db.session.add(far_meeting)
    item = action_services.create_action(
        actor(w.coordinator),
        w.group,
        title="Inform the Secretariat",
        due_date=date.today() + timedelta(days=3),
        owner_state=w.kz,
        now=datetime.now(UTC),
    )
    db.session.execute(
        sa.update(ActionItem).where(ActionItem.id == item.id).values(due_date=date(9999, 12, 31))
    )
    for user in (w.kz_head, w.coordinator):
        user.timezone = "Asia/Almaty"  # UTC+5: the deadline is in year 10000 there
    db.session.commit()
    return far_meeting


def test_far_future_instants_do_not_take_pages_down(make_client, w, legacy):
    pages = [
        "/",
        f"/groups/{w.group.slug}/minutes",
        f"/meetings/{w.meeting.id}/minutes",
        f"/meetings/{legacy.id}",
        f"/groups/{w.group.slug}/meetings",
        f"/groups/{w.group.slug}/actions",
        f"/meetings/{legacy.id}.ics",
        f"/meetings/{w.meeting.id}/minutes/print",
    ]
    for who in (w.kz_head, w.coordinator):
        client = make_client()
        assert client.login(who.email).status_code == 302
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (who.email, path, page_text(response)[:500])
    minutes_page = page_text(client.get(f"/meetings/{w.meeting.id}/minutes"))
    assert "9999" in minutes_page and "(UTC)" in minutes_page  # shown in UTC instead

    _, secret = create_token(audit.SYSTEM, w.kz_head, "test")
    db.session.commit()
    api = make_client().http
    headers = {"Authorization": f"Bearer {secret}"}
    for path in [
        f"/api/v1/meetings/{w.meeting.id}/minutes",
        f"/api/v1/meetings/{legacy.id}",
        f"/api/v1/groups/{w.group.slug}/meetings",
        "/api/v1/actions",
    ]:
        response = api.get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:500])
    minutes = api.get(f"/api/v1/meetings/{w.meeting.id}/minutes", headers=headers).json
    assert minutes["comment_deadline"].startswith("9999-12-31T23:00")


def test_far_future_instants_do_not_stop_reminders_and_digests(w, legacy):
    now = datetime.now(UTC)
    reminders.scan(now)
    digests.run(now, force=True)
    immediate.run(now)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "10000-01-01", "1899-12-31"])
def test_circulating_with_a_deadline_off_the_calendar_is_refused(make_client, w, day):
    minutes_services.add_version(
        actor(w.coordinator), w.meeting, None, "# Minutes\n\nOpening.", now=datetime.now(UTC)
    )
    w.coordinator.timezone = "Asia/Almaty"
    db.session.commit()
    client = make_client()
    client.login(w.coordinator.email)
    before = snapshot(w.meeting)
    response = client.post(
        f"/meetings/{w.meeting.id}/minutes/circulate",
        {"deadline_date": day, "deadline_time": "23:00"},
    )
    assert response.status_code == 422, page_text(response)[:1000]
    text = page_text(response)
    assert "The date is out of range" in text or "Not a valid date value" in text
    assert snapshot(w.meeting) == before
    assert minutes_of(w.meeting).comment_deadline is None


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_an_action_due_off_the_calendar_is_refused_in_form_and_api(make_client, w, day):
    client = make_client()
    client.login(w.coordinator.email)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    response = client.post(
        f"/groups/{w.group.slug}/actions/new",
        {"title": "Report", "owner_state": str(w.kz.id), "due_date": day, "priority": "normal"},
    )
    assert response.status_code == 422, page_text(response)[:1000]
    assert "The date is out of range" in page_text(response)

    _, secret = create_token(audit.SYSTEM, w.coordinator, "test")
    db.session.commit()
    response = make_client().http.post(
        f"/api/v1/groups/{w.group.slug}/actions",
        json={"title": "Report", "owner_state": "KZ", "due_date": day},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "out of range" in response.json["error"]["message"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == count


@pytest.mark.parametrize(
    "starts", ["0001-01-01T00:00:00+00:00", "9999-12-31T22:00:00+00:00", "2201-01-01T00:00:00Z"]
)
def test_a_meeting_off_the_calendar_is_refused_by_the_api(make_client, w, starts):
    _, secret = create_token(audit.SYSTEM, w.coordinator, "test")
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))
    response = make_client().http.post(
        f"/api/v1/groups/{w.group.slug}/meetings",
        json={"title": "X", "timezone": "Asia/Tokyo", "starts_at": starts, "ends_at": starts},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"]["field"] == "starts_at"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == before
