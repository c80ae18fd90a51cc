"""The list of participants: who may register whom, confirming, recording
attendance, the order of delegations, and bad input (4xx, nothing changed)."""

from __future__ import annotations

import pytest

from konsey.models import AuditEvent, MeetingParticipant
from tests.integration.meetings_data import (
    audit_actions,
    build,
    count,
    make_meeting,
    page_text,
    soon,
    utc,
)
from tests.integration.participants_data import account, entry_form, named, rows, snapshot


@pytest.fixture
def w(ctx):
    return build(ctx)


@pytest.fixture
def planned(w):
    return make_meeting(w.group, "3rd Meeting", starts=soon())


@pytest.fixture
def held(w):
    return make_meeting(w.group, "2nd Meeting", starts=utc(2017, 11, 9, 7), status="held")


def the_list(response) -> str:
    """The page's list, without the header (the reader's name) and the flashes."""
    text = page_text(response)
    return text[text.index("Printable view") :]


def url(meeting, tail="") -> str:
    return f"/meetings/{meeting.id}/participants{tail}"


# The head of delegation ------------------------------------------------------------------
def test_head_registers_a_participant_without_an_account_with_accreditation(client, w, planned):
    client.login(w.kz_head.email)
    form = page_text(client.get(url(planned, "/new")))
    assert "Kazakhstan (KZ)" in form and "Azerbaijan (AZ)" not in form
    response = client.post(
        url(planned, "/new"),
        entry_form(
            w.kz,
            email="Minister@KZ.example.org",
            is_head="y",
            accreditation_reference="No. 14-1/2027-77",
            accreditation_date="2026-11-20",
        ),
    )
    assert response.status_code == 302, page_text(response)
    [entry] = rows(planned)
    assert (entry.name, entry.user_id, entry.member_state_id) == ("Yerlan Sadykov", None, w.kz.id)
    assert entry.email == "minister@kz.example.org"
    assert entry.is_head and entry.registered and entry.attended is None
    assert entry.registered_by_id == w.kz_head.id and entry.confirmed_at is None
    assert str(entry.accreditation_date) == "2026-11-20"
    assert audit_actions()[-1] == "participant.add"

    text = page_text(client.get(url(planned)))
    assert (
        "KZ Kazakhstan Participants: Kazakhstan Name Title or function Organisation Account "
        "Accreditation Confirmed Attended Changes Yerlan Sadykov Head of delegation "
        "minister@kz.example.org Vice Minister Ministry of Information and Communications "
        "No account No. 14-1/2027-77, 2026-11-20 Not yet confirmed Not recorded Edit"
    ) in text
    assert "Confirm Yerlan" not in text  # the head does not confirm


def test_head_registers_an_account_of_their_state_only(client, w, planned):
    client.login(w.kz_head.email)
    ok = client.post(url(planned, "/new"), entry_form(w.kz, user=str(w.kz_delegate.id), name=""))
    assert ok.status_code == 302
    [entry] = rows(planned)
    assert (entry.user_id, entry.name) == (w.kz_delegate.id, "")
    # The same person twice: a conflict, not a second entry.
    again = client.post(url(planned, "/new"), entry_form(w.kz, user=str(w.kz_delegate.id)))
    assert again.status_code == 409
    assert "already on the list of participants" in page_text(again)
    # Another state's people or another state's delegation are not among the choices.
    for form in [
        entry_form(w.kz, user=str(w.az_head.id)),
        entry_form(w.az),
        entry_form(None),
    ]:
        response = client.post(url(planned, "/new"), form)
        assert response.status_code == 422, form
        assert "Not a valid choice" in page_text(response)
    assert len(rows(planned)) == 1


def test_another_states_head_cannot_touch_this_states_entries(client, w, planned):
    entry = named(planned, "Yerlan Sadykov", w.kz, title="Vice Minister")
    before = snapshot(planned)
    client.login(w.az_head.email)
    audit = audit_actions()
    assert client.get(url(planned, f"/{entry.id}")).status_code == 403
    for tail, data in [
        (f"/{entry.id}", entry_form(w.az, name="Hijacked")),
        (f"/{entry.id}", entry_form(w.kz, name="Hijacked")),
        (f"/{entry.id}/remove", {}),
        (f"/{entry.id}/confirm", {}),
    ]:
        assert client.post(url(planned, tail), data).status_code == 403, tail
    assert snapshot(planned) == before
    assert audit_actions() == audit
    # They see the entry, but no controls on it and not its email.
    text = page_text(client.get(url(planned)))
    assert "Yerlan Sadykov" in text and "Edit Yerlan" not in text


def test_head_cannot_move_an_entry_into_another_delegation(client, w, planned):
    entry = named(planned, "Yerlan Sadykov", w.kz)
    before = snapshot(planned)
    client.login(w.kz_head.email)
    response = client.post(url(planned, f"/{entry.id}"), entry_form(w.az))
    assert response.status_code == 422
    assert snapshot(planned) == before


@pytest.mark.parametrize("who", ["hu_observer", "kz_delegate", "outsider"])
def test_observers_delegates_and_strangers_register_nobody(client, w, planned, who):
    entry = named(planned, "Yerlan Sadykov", w.kz)
    before = snapshot(planned)
    client.login(getattr(w, who).email)
    audit = audit_actions()
    assert client.get(url(planned, "/new")).status_code == 403
    for tail, data in [
        ("/new", entry_form(w.kz)),
        ("/new", entry_form(w.hu)),
        (f"/{entry.id}", entry_form(w.kz, name="Changed")),
        (f"/{entry.id}/remove", {}),
        (f"/{entry.id}/confirm", {}),
        ("/attendance", {"attended": str(entry.id)}),
    ]:
        assert client.post(url(planned, tail), data).status_code == 403, (who, tail)
    assert snapshot(planned) == before
    assert audit_actions() == audit
    if who == "outsider":
        assert client.get(url(planned)).status_code == 403
    else:
        text = page_text(client.get(url(planned)))
        assert "Yerlan Sadykov" in text and "Add a participant" not in text


def test_observer_cannot_say_i_will_attend_but_a_delegate_can(client, w, planned):
    client.login(w.hu_observer.email)
    assert client.post(f"/meetings/{planned.id}/register").status_code == 403
    client.logout()
    client.login(w.kz_delegate.email)
    assert client.post(f"/meetings/{planned.id}/register").status_code == 302
    [entry] = rows(planned)
    assert (entry.user_id, entry.registered_by_id) == (w.kz_delegate.id, w.kz_delegate.id)
    assert "Dana Delegate" in the_list(client.get(url(planned)))
    assert client.post(f"/meetings/{planned.id}/withdraw").status_code == 302
    assert "Dana Delegate" not in the_list(client.get(url(planned)))


def test_head_may_not_register_for_a_meeting_that_was_held(client, w, held):
    client.login(w.kz_head.email)
    assert client.post(url(held, "/new"), entry_form(w.kz)).status_code == 403
    assert count(MeetingParticipant) == 0


# Coordinators ------------------------------------------------------------------------------
def test_coordinator_registers_anyone_confirms_and_orders_the_list(client, w, planned, app):
    client.login(w.coordinator.email)
    for state, name in [
        (w.kz, "Kazakh Minister"),
        (None, "Secretariat Officer"),
        (w.hu, "Hungarian Observer"),
        (w.az, "Azeri Minister"),
    ]:
        assert client.post(url(planned, "/new"), entry_form(state, name=name)).status_code == 302
    assert (
        client.post(
            url(planned, "/new"), entry_form(None, user=str(w.coordinator.id), name="")
        ).status_code
        == 302
    )
    text = the_list(client.get(url(planned)))
    order = [
        text.index(s)
        for s in [
            "AZ Azerbaijan",
            "Azeri Minister",
            "KZ Kazakhstan",
            "Kazakh Minister",
            "Secretariat Participants: Secretariat",
            "Project Director",
            "Secretariat Officer",
            "Observer states",
            "HU Hungary",
            "Hungarian Observer",
        ]
    ]
    assert order == sorted(order), text
    kz = next(e for e in rows(planned) if e.name == "Kazakh Minister")
    assert client.post(url(planned, f"/{kz.id}/confirm")).status_code == 302
    entry = next(e for e in rows(planned) if e.id == kz.id)
    assert entry.confirmed_by_id == w.coordinator.id and entry.confirmed_at is not None
    again = client.post(url(planned, f"/{kz.id}/confirm"))
    assert again.status_code == 409
    assert "already confirmed" in page_text(again)
    assert "participant.confirm" in audit_actions()


def test_a_heads_change_needs_confirmation_again_a_coordinators_does_not(client, w, planned):
    entry = named(planned, "Yerlan Sadykov", w.kz, confirmed_at=utc(2026, 11, 1))
    client.login(w.coordinator.email)
    client.post(url(planned, f"/{entry.id}"), entry_form(w.kz, title="Minister"))
    assert rows(planned)[0].confirmed_at is not None
    client.logout()
    client.login(w.kz_head.email)
    response = client.post(url(planned, f"/{entry.id}"), entry_form(w.kz, title="First Minister"))
    assert response.status_code == 302
    [after] = rows(planned)
    assert (after.title, after.confirmed_at) == ("First Minister", None)
    assert audit_actions()[-1] == "participant.update"


def test_one_head_per_delegation(client, w, planned):
    first = named(planned, "First Head", w.kz, is_head=True)
    client.login(w.kz_head.email)
    client.post(url(planned, "/new"), entry_form(w.kz, name="Second Head", is_head="y"))
    heads = {e.name: e.is_head for e in rows(planned)}
    assert heads == {first.name: False, "Second Head": True}


def test_head_removes_their_states_entry(client, w, planned):
    entry = named(planned, "Yerlan Sadykov", w.kz)
    client.login(w.kz_head.email)
    assert client.post(url(planned, f"/{entry.id}/remove")).status_code == 302
    assert rows(planned) == []
    assert audit_actions()[-1] == "participant.remove"


# Attendance ------------------------------------------------------------------------------
def test_coordinator_records_who_attended_including_people_without_accounts(client, w, held):
    minister = named(held, "Yerlan Sadykov", w.kz)
    head = account(held, w.kz_head)
    azeri = account(held, w.az_head)
    client.login(w.coordinator.email)
    form = page_text(client.get(url(held, "/attendance")))
    assert "Yerlan Sadykov" in form and "Nurlan Head" in form
    response = client.post(url(held, "/attendance"), {"attended": [str(minister.id), str(head.id)]})
    assert response.status_code == 302
    came = {e.id: e.attended for e in rows(held)}
    assert came == {minister.id: True, head.id: True, azeri.id: False}
    assert all(e.attendance_recorded_by_id == w.coordinator.id for e in rows(held))
    text = page_text(client.get(url(held)))
    assert "Yerlan Sadykov" in text and "Did not attend" in text
    # The meeting page's attendance by delegation is the same record, people
    # without an account included.
    page = page_text(client.get(f"/meetings/{held.id}"))
    assert "KZ Kazakhstan Nurlan Head Attended Yerlan Sadykov · No account Attended" in page


def test_attendance_refuses_future_meetings_and_other_meetings_entries(client, w, held, planned):
    ours = named(held, "Yerlan Sadykov", w.kz)
    theirs = named(planned, "Someone Else", w.kz)
    client.login(w.coordinator.email)
    before = snapshot(held), snapshot(planned)
    response = client.post(url(held, "/attendance"), {"attended": [str(theirs.id)]})
    assert response.status_code == 422
    response = client.post(url(planned, "/attendance"), {"attended": [str(theirs.id)]})
    assert response.status_code == 409
    assert "Attendance can be recorded once the meeting has begun." in page_text(response)
    assert (snapshot(held), snapshot(planned)) == before
    assert ours.id != theirs.id


def test_heads_do_not_record_attendance(client, w, held):
    entry = named(held, "Yerlan Sadykov", w.kz)
    client.login(w.kz_head.email)
    assert client.get(url(held, "/attendance")).status_code == 403
    assert client.post(url(held, "/attendance"), {"attended": str(entry.id)}).status_code == 403
    assert rows(held)[0].attended is None


# Bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "field_message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"title": "T" * 10_000}, "At most 200 characters."),
        ({"name": "N" * 201}, "At most 200 characters."),
        ({"organisation": "O" * 5_000}, "At most 200 characters."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "x@" + "y" * 300 + ".org"}, "At most 254 characters."),
        ({"name": "Line\nbreak"}, "Line breaks, tabs and control characters are not allowed"),
        ({"accreditation_reference": "R" * 500}, "At most 120 characters."),
        ({"accreditation_date": "2026-13-45"}, "Not a valid date value."),
        ({"accreditation_date": "0001-01-01"}, "The date is out of range."),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_written(
    client, w, planned, values, field_message
):
    client.login(w.kz_head.email)
    audit = audit_actions()
    response = client.post(url(planned, "/new"), entry_form(w.kz, **values))
    assert response.status_code == 422
    assert field_message in page_text(response)
    assert count(MeetingParticipant) == 0
    assert audit_actions() == audit


def test_bad_edit_changes_nothing(client, w, planned):
    entry = named(planned, "Yerlan Sadykov", w.kz)
    before = snapshot(planned)
    client.login(w.coordinator.email)
    response = client.post(url(planned, f"/{entry.id}"), entry_form(w.kz, title="T" * 10_000))
    assert response.status_code == 422
    assert "At most 200 characters." in page_text(response)
    assert snapshot(planned) == before


def test_an_entry_of_another_meeting_is_not_found_through_this_one(client, w, planned, held):
    theirs = named(held, "Someone Else", w.kz)
    before = snapshot(held)
    client.login(w.coordinator.email)
    assert client.get(url(planned, f"/{theirs.id}")).status_code == 404
    for tail, data in [
        (f"/{theirs.id}", entry_form(w.kz, name="Forged")),
        (f"/{theirs.id}/remove", {}),
        (f"/{theirs.id}/confirm", {}),
        ("/999999/confirm", {}),
    ]:
        assert client.post(url(planned, tail), data).status_code == 404, tail
    assert snapshot(held) == before
    assert count(AuditEvent, AuditEvent.action.like("participant.%")) == 0


def test_an_account_outside_the_group_or_the_delegation_is_refused(client, w, planned):
    client.login(w.coordinator.email)
    # Not a member of this group: not among the choices.
    response = client.post(url(planned, "/new"), entry_form(w.az, user=str(w.other_delegate.id)))
    assert response.status_code == 422
    # A member, but filed under another delegation than their own.
    response = client.post(url(planned, "/new"), entry_form(w.az, user=str(w.kz_head.id)))
    assert response.status_code == 422
    assert "Nurlan Head is not in this delegation." in page_text(response)
    assert count(MeetingParticipant) == 0


def test_cancelled_meeting_list_is_closed(client, w):
    cancelled = make_meeting(w.group, "Cancelled", starts=soon(), status="cancelled")
    entry = named(cancelled, "Yerlan Sadykov", w.kz)
    client.login(w.coordinator.email)
    assert client.post(url(cancelled, "/new"), entry_form(w.kz)).status_code == 403
    assert client.post(url(cancelled, f"/{entry.id}/confirm")).status_code == 403
    assert len(rows(cancelled)) == 1


def test_forms_need_the_csrf_token(client, w, planned):
    client.login(w.kz_head.email)
    response = client.post(url(planned, "/new"), entry_form(w.kz), csrf=False)
    assert response.status_code == 400
    assert count(MeetingParticipant) == 0
