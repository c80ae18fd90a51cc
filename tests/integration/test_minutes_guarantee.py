"""The record's guarantees: who must agree is fixed when minutes are
circulated (no roster change removes a state or lifts its reservation), and a
signed record never changes (it is shown from a snapshot whose SHA-256 is
stored), with the agenda of agreed or signed minutes frozen."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from konsey.admin import services as admin_services
from konsey.extensions import db
from konsey.groups import services as group_services
from konsey.meetings import services as meeting_services
from konsey.minutes import agreement, queries, services
from konsey.models import AgendaItem, Membership, MinutesParticipant, MinutesStatus, StateStatus
from tests import factories as f
from tests.integration import minutes_world
from tests.integration.minutes_world import actor, audit_actions, minutes_of, page_text

TEXT = "# Minutes\n\n1. Opening.\n2. National CERTs cooperate."


@pytest.fixture
def w(ctx):
    world = minutes_world.build()
    # Kazakhstan's delegation is its head alone: when the head goes, nobody is left.
    for person in (world.kz_delegate, world.kz_expert):
        db.session.delete(_membership(world, person))
    db.session.commit()
    return world


def _membership(w, user) -> Membership:
    return db.session.scalar(
        select(Membership).where(Membership.group_id == w.group.id, Membership.user_id == user.id)
    )


def as_user(make_client, user):
    client = make_client()
    assert client.login(user.email).status_code == 302
    return client


def url(w, tail=""):
    return f"/meetings/{w.meeting.id}/minutes{tail}"


def circulate(w, *, silence=False, decision=None):
    now = datetime.now(UTC)
    services.add_version(actor(w.coordinator), w.meeting, None, TEXT, now=now)
    if decision is not None:  # a draft's decisions are recorded before circulating
        services.add_decision(actor(w.coordinator), minutes_of(w.meeting), *decision)
    services.circulate(
        actor(w.coordinator),
        minutes_of(w.meeting),
        deadline=now + timedelta(days=7),
        silence_procedure=silence,
        now=now,
    )
    return minutes_of(w.meeting)


def position(w, head, kind, text=""):
    minutes = minutes_of(w.meeting)
    agreement.record_position(
        actor(head),
        minutes,
        head,
        version_number=minutes.current.number,
        position=kind,
        text=text,
        now=datetime.now(UTC),
    )


def _remove_head(w):
    group_services.remove_member(actor(w.coordinator), _membership(w, w.kz_head))


def _head_to_observer(w):
    group_services.change_role(actor(w.coordinator), _membership(w, w.kz_head), "observer")


def _deactivate_head(w):
    admin_services.set_active(actor(w.admin), w.kz_head, False)


def _state_becomes_observer(w):
    w.kz.status = StateStatus.OBSERVER
    db.session.commit()


ROSTER_CHANGES = [_remove_head, _head_to_observer, _deactivate_head, _state_becomes_observer]


@pytest.mark.parametrize("change", ROSTER_CHANGES, ids=lambda c: c.__name__.strip("_"))
def test_a_roster_change_never_lifts_a_reservation(make_client, w, change):
    circulate(w)
    position(w, w.az_head, "agree")
    position(w, w.kz_head, "reservation", "Paragraph 2 is not agreed.")

    change(w)

    sg = as_user(make_client, w.signatory)
    page = page_text(sg.get(url(w)))  # reading settles the record
    assert "KZ Kazakhstan Reservation Paragraph 2 is not agreed." in page
    assert "1 of 2 participating member states agree." in page
    minutes = minutes_of(w.meeting)
    assert minutes.status == MinutesStatus.CIRCULATED
    assert "minutes.agreed" not in audit_actions()
    # It cannot be signed, on the web or through the service.
    response = sg.post(url(w, "/sign"), {"version": "1"})
    assert response.status_code == 409
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED
    api = sg.get(f"/api/v1{url(w)}").get_json()
    assert api["status"] == "circulated"
    assert {p["state"]: p["position"] for p in api["positions"]} == {
        "AZ": "agree",
        "KZ": "reservation",
    }
    assert agreement.settle(minutes_of(w.meeting), datetime.now(UTC)) is False


def test_the_only_delegate_leaving_keeps_the_state_pending(make_client, w):
    circulate(w)
    position(w, w.az_head, "agree")
    _remove_head(w)  # Kazakhstan has nobody left in the group
    page = page_text(as_user(make_client, w.az_head).get(url(w)))
    assert "KZ Kazakhstan Pending" in page
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED


def test_only_the_states_own_later_position_lifts_its_reservation(make_client, w):
    circulate(w)
    position(w, w.az_head, "agree")
    position(w, w.kz_head, "reservation", "Not yet.")
    _head_to_observer(w)
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED
    group_services.change_role(actor(w.coordinator), _membership(w, w.kz_head), "head")
    position(w, w.kz_head, "agree")
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED
    assert audit_actions()[-1] == "minutes.agreed"


def test_a_state_joining_after_circulation_must_agree(make_client, w):
    circulate(w)
    kg = f.make_state("KG", "Kyrgyzstan", tz="Asia/Bishkek")
    kg_head = f.make_user("head@kg.example.org", name="Kyrgyz Head", state=kg)
    db.session.commit()
    group_services.add_member(actor(w.coordinator), w.group, kg_head, "head")
    position(w, w.az_head, "agree")
    position(w, w.kz_head, "agree")
    minutes = minutes_of(w.meeting)
    assert minutes.status == MinutesStatus.CIRCULATED  # Kyrgyzstan joined and is pending
    joined = db.session.scalars(
        select(MinutesParticipant).where(MinutesParticipant.version_id == minutes.current.id)
    ).all()
    assert {p.member_state.code: p.reason.value for p in joined} == {
        "AZ": "circulated",
        "KZ": "circulated",
        "KG": "joined",
    }
    # Leaving again does not take it out of the count.
    group_services.remove_member(
        actor(w.coordinator),
        db.session.scalar(select(Membership).where(Membership.user_id == kg_head.id)),
    )
    agreement.settle(minutes_of(w.meeting), datetime.now(UTC))
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED
    assert "KG Kyrgyzstan Pending" in page_text(as_user(make_client, w.az_head).get(url(w)))


def test_a_new_version_while_circulated_keeps_every_state(w):
    circulate(w)
    position(w, w.kz_head, "reservation", "Rewrite item 2.")
    _remove_head(w)
    now = datetime.now(UTC)
    services.add_version(
        actor(w.coordinator), w.meeting, minutes_of(w.meeting), TEXT + "\n3. Rewritten.", now=now
    )
    minutes = minutes_of(w.meeting)
    assert minutes.current.number == 2
    codes = {p.member_state.code for p in queries.participants_of(minutes.current)}
    assert codes == {"AZ", "KZ"}
    position(w, w.az_head, "agree")
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED  # Kazakhstan pending


# A signed record never changes ---------------------------------------------------------
def _signed(w):
    # Issue 15: decisions are recorded in the draft (a circulated version's are fixed).
    circulate(w, decision=("CERTs exchange contacts.", w.items[1].id))
    position(w, w.az_head, "agree")
    position(w, w.kz_head, "agree")
    services.sign(actor(w.signatory), minutes_of(w.meeting), w.signatory, now=datetime.now(UTC))
    return minutes_of(w.meeting)


def _views(make_client, w):
    client = as_user(make_client, w.signatory)
    page = page_text(client.get(url(w)))
    printed = page_text(client.get(url(w, "/print")))
    api = client.get(f"/api/v1{url(w)}").get_json()
    # The page's header (group navigation) is live; the record's part starts at its title.
    return page[page.index("Minutes: ") :], printed, api


def test_the_signed_record_never_changes(make_client, w):
    minutes = _signed(w)
    stored = minutes.signed_record
    assert hashlib.sha256(stored.encode("utf-8")).hexdigest() == minutes.signed_record_sha256
    data = json.loads(stored)
    assert stored == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert data["decisions"][0]["agenda_item"]["title"] == "National CERT cooperation"
    assert data["version"]["sha256"] == minutes.current.sha256
    # Issue 15: the signed SHA-256 covers the text and the signed version's decisions.
    content = {
        "text": data["version"]["text"],
        "decisions": [
            {"number": 1, "agenda_item": 2, "text": data["decisions"][0]["text"]},
        ],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == minutes.signed_sha256
    assert data["version"]["content_sha256"] == minutes.signed_sha256
    before = _views(make_client, w)
    assert "Agenda item 2: National CERT cooperation" in before[1]
    assert "The stored record matches its SHA-256." in before[1]
    assert before[2]["signed_record"] == data and before[2]["signed_record_intact"] is True

    # Everything the record shows changes live…
    meeting_services.update_meeting(
        actor(w.coordinator),
        w.meeting,
        {
            "title": "Renamed meeting",
            "venue_city": "Baku",
            "number": "9th",
            "starts_at": datetime(2027, 1, 5, 6, 0, tzinfo=UTC),
            "ends_at": datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
        },
    )
    w.kz.name = "Qazaqstan"
    db.session.commit()
    item = db.session.get(AgendaItem, w.items[1].id)
    item.title = "Renamed behind the service's back"
    db.session.commit()
    kg = f.make_state("KG", "Kyrgyzstan", tz="Asia/Bishkek")
    kg_head = f.make_user("head@kg.example.org", name="Kyrgyz Head", state=kg)
    db.session.commit()
    group_services.add_member(actor(w.coordinator), w.group, kg_head, "head")
    group_services.remove_member(actor(w.coordinator), _membership(w, w.az_head))

    # …and the signed record does not.
    after = _views(make_client, w)
    page, printed, api = after
    assert printed == before[1]
    assert api["signed_record"] == before[2]["signed_record"]
    assert api["positions"] == before[2]["positions"]
    assert api["decisions"] == before[2]["decisions"]
    assert "Renamed" not in page and "Qazaqstan" not in printed and "Kyrgyzstan" not in printed
    assert minutes_of(w.meeting).signed_record == stored


def test_tampering_with_the_stored_record_shows(make_client, w):
    minutes = _signed(w)
    minutes.signed_record = minutes.signed_record.replace("CERTs exchange", "CERTs ignore")
    db.session.commit()
    printed = page_text(as_user(make_client, w.az_head).get(url(w, "/print")))
    assert "does not match its SHA-256" in printed


@pytest.mark.parametrize("status", ["agreed", "signed"])
def test_the_agenda_of_agreed_or_signed_minutes_is_frozen(make_client, w, status):
    circulate(w)
    position(w, w.az_head, "agree")
    position(w, w.kz_head, "agree")
    if status == "signed":
        services.sign(actor(w.signatory), minutes_of(w.meeting), w.signatory, now=datetime.now(UTC))
    coord = as_user(make_client, w.coordinator)
    item = w.items[1].id
    base = f"/meetings/{w.meeting.id}/agenda"
    titles = lambda: [i.title for i in minutes_of(w.meeting).meeting.agenda]  # noqa: E731
    before = titles()
    attempts = [
        (f"{base}/new", {"title": "Late item"}),
        (f"{base}/{item}", {"title": "Renamed"}),
        (f"{base}/{item}/delete", {}),
        (f"{base}/{item}/move", {"direction": "up"}),
    ]
    for path, data in attempts:
        response = coord.post(path, data)
        assert response.status_code == 409, path
        assert f"are {status}: its agenda can no longer change" in page_text(response)
    assert titles() == before
