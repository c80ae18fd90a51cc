"""The home page as an inbox: reservations to resolve and reports to
acknowledge for coordinators, assignments new since the last visit whatever
their due date, and the header's "N need you" on every page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from konsey import audit
from konsey.actions import services as actions
from konsey.extensions import db
from konsey.minutes import agreement
from konsey.minutes import services as minutes_services
from tests.integration import minutes_world
from tests.integration.test_home import section_html

NOW = datetime.now(UTC)


def actor(user):
    return audit.Actor(user, "127.0.0.1")


@pytest.fixture
def w(ctx):
    world = minutes_world.build()
    minutes_services.add_version(actor(world.coordinator), world.meeting, None, "Text.", now=NOW)
    minutes = minutes_world.minutes_of(world.meeting)
    minutes_services.circulate(
        actor(world.coordinator), minutes, deadline=NOW + timedelta(days=7),
        silence_procedure=True, now=NOW,
    )  # fmt: skip
    agreement.record_position(
        actor(world.az_head), minutes, world.az_head, version_number=1,
        position="reservation", text="Azerbaijan reserves paragraph 2.", now=NOW,
    )  # fmt: skip
    world.far = actions.create_action(
        actor(world.coordinator), world.group, title="Host the cyber exercise",
        due_date=(NOW + timedelta(days=35)).date(), now=NOW, priority="high", owner_state=world.kz,
    )  # fmt: skip
    world.reported = actions.create_action(
        actor(world.coordinator), world.group, title="Share the CERT list",
        due_date=(NOW + timedelta(days=20)).date(), now=NOW, owner_state=world.kz,
    )  # fmt: skip
    actions.update_action(
        actor(world.kz_head), world.reported, now=NOW, status="done",
        reference="Note verbale No. 12-1/2345",
    )  # fmt: skip
    return world


def page(make_client, user):
    client = make_client()
    client.login(user.email)
    return client, client.get("/").get_data(as_text=True)


def test_coordinator_sees_reservations_and_reports_with_their_next_step(w, make_client):
    client, html = page(make_client, w.coordinator)
    reservations = section_html(html, "home-reservations-h")
    assert "Azerbaijan reserves paragraph 2." in reservations
    ack = section_html(html, "home-ack-h")
    assert "Share the CERT list" in ack and "Note verbale No. 12-1/2345" in ack, ack
    assert "Host the cyber exercise" not in ack
    assert client.get(f"/groups/cyber/actions/{w.reported.id}").status_code == 200
    assert "2 need you" in html  # one reservation, one report


@pytest.mark.parametrize("who", ["kz_head", "az_head", "hu_observer", "signatory", "kz_delegate"])
def test_only_coordinators_see_reservations_and_reports(w, make_client, who):
    _client, html = page(make_client, getattr(w, who))
    assert section_html(html, "home-reservations-h") == ""
    assert section_html(html, "home-ack-h") == ""


def test_a_new_assignment_is_new_for_you_whatever_its_due_date(w, make_client):
    _client, html = page(make_client, w.kz_delegate)
    new = section_html(html, "home-new-h")
    assert "Host the cyber exercise" in new  # due in five weeks
    _client, html = page(make_client, w.az_head)
    assert "Host the cyber exercise" not in section_html(html, "home-new-h")


def test_the_header_count_is_on_every_page_and_matches_the_needs(w, make_client):
    client, html = page(make_client, w.kz_head)
    # Kazakhstan's head: the position awaited (the two actions are not due within 14 days
    # or done), so one thing needs them.
    assert "1 needs you" in html
    assert 'href="/meetings/' in section_html(html, "home-minutes-h")
    assert "1 needs you" in client.get("/groups/cyber").get_data(as_text=True)
    assert "need" not in client.get("/api/v1/me").get_data(as_text=True)
    _client, html = page(make_client, w.hu_observer)
    assert 'class="needs-badge"' not in html


def test_the_header_count_costs_a_bounded_number_of_queries(w, make_client, count_queries):
    from tests import factories as f

    client, _html = page(make_client, w.coordinator)
    with count_queries() as few:
        client.get("/account")
    with f.batch():
        for n in range(12):
            group = f.make_group(f"extra-{n}")
            f.add(group, w.coordinator, "coordinator")
    db.session.commit()
    with count_queries() as many:
        client.get("/account")
    assert len(many) <= len(few) + 1
