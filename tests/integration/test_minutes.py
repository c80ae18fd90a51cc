"""Minutes: drafted, circulated, agreed by every participating member state
(explicitly or by silence), signed and frozen — and refused, with a clear
message and nothing changed, whenever the rules say no."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from konsey.extensions import db
from konsey.minutes import agreement, services
from konsey.models import MinutesStatus
from tests import factories as f
from tests.integration import minutes_world
from tests.integration.minutes_world import (
    actor,
    audit_actions,
    minutes_of,
    page_text,
    snapshot,
)

TEXT_1 = "# Minutes\r\n\r\n1. Opening by the Secretariat.\r\n2. National CERTs.\r\n"
TEXT_2 = "# Minutes\n\n1. Opening by the Secretariat.\n2. National CERTs cooperate.\n3. Close."
STORED_2 = TEXT_2  # already LF and stripped


@pytest.fixture
def w(ctx):
    return minutes_world.build()


def url(w, tail: str = "") -> str:
    return f"/meetings/{w.meeting.id}/minutes{tail}"


def as_user(make_client, user):
    client = make_client()
    assert client.login(user.email).status_code == 302
    return client


@pytest.fixture
def people(make_client, w):
    """A logged-in client per person of the group."""
    names = ["coordinator", "signatory", "kz_head", "kz_delegate", "az_head", "hu_observer"]
    return {name: as_user(make_client, getattr(w, name)) for name in names}


def deadline_form(days: int = 7, clock: str = "18:00") -> dict[str, str]:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return {"deadline_date": day.isoformat(), "deadline_time": clock}


def circulated(w, *, silence=False, deadline=None, text=TEXT_1):
    """Minutes circulated by the coordinator through the services (for tests
    that are about what comes after)."""
    now = datetime.now(UTC)
    services.add_version(actor(w.coordinator), w.meeting, None, text, now=now)
    minutes = minutes_of(w.meeting)
    services.circulate(
        actor(w.coordinator),
        minutes,
        deadline=deadline or now + timedelta(days=7),
        silence_procedure=silence,
        now=now,
    )
    return minutes_of(w.meeting)


def assert_refused(response, status: int, message: str, w, before: dict):
    assert response.status_code == status, page_text(response)[:1500]
    assert message in page_text(response)
    assert snapshot(w.meeting) == before


# The whole journey ------------------------------------------------------------------------
def test_draft_circulate_agree_sign(people, w):
    coord, kz, az = people["coordinator"], people["kz_head"], people["az_head"]
    delegate, sg = people["kz_delegate"], people["signatory"]

    # The coordinator drafts: nobody else sees a draft.
    assert coord.get(url(w)).status_code == 200
    response = coord.post(url(w, "/versions"), {"text": TEXT_1, "note": "first draft"})
    assert response.status_code == 302
    text = page_text(coord.get(url(w)))
    assert "Version 1 of the minutes is saved." in text
    assert "Status Draft" in text
    assert delegate.get(url(w)).status_code == 403

    # Circulated with a deadline typed in the coordinator's zone (Asia/Almaty).
    form = deadline_form()
    # Circulating asks for confirmation first (issue 15): confirmed, it circulates.
    assert coord.post_confirmed(url(w, "/circulate"), form).status_code == 302
    minutes = minutes_of(w.meeting)
    day = datetime.fromisoformat(form["deadline_date"])
    expected = day.replace(hour=18, tzinfo=ZoneInfo("Asia/Almaty")).astimezone(UTC)
    assert minutes.status == MinutesStatus.CIRCULATED
    assert minutes.comment_deadline == expected
    # …and shown in each viewer's own zone.
    baku = expected.astimezone(ZoneInfo("Asia/Baku"))
    az_page = page_text(az.get(url(w)))
    assert "Comment deadline" in az_page
    assert f"{baku.hour % 12 or 12}:{baku.minute:02d}" in az_page
    assert "(Asia/Baku)" in az_page
    assert "Nurlan Head" in az_page  # the heads of delegation are named
    assert "KZ Kazakhstan Pending" in az_page and "AZ Azerbaijan Pending" in az_page

    # A delegate comments on the circulated version.
    response = delegate.post(url(w, "/comments"), {"comment": "Please name the CERTs."})
    assert response.status_code == 302
    assert "Dana Delegate · KZ on version 1" in page_text(delegate.get(url(w)))
    assert "Please name the CERTs." in page_text(delegate.get(url(w)))

    # Kazakhstan makes a reservation, Azerbaijan agrees: not yet agreed.
    before = snapshot(w.meeting)
    response = kz.post(url(w, "/positions"), {"version": "1", "position": "reservation"})
    assert_refused(response, 422, "Say what the reservation is.", w, before)
    response = kz.post(
        url(w, "/positions"),
        {"version": "1", "position": "reservation", "reservation_text": "Item 2 is incomplete."},
    )
    assert response.status_code == 302
    assert az.post(url(w, "/positions"), {"version": "1", "position": "agree"}).status_code == 302
    text = page_text(kz.get(url(w)))
    assert "KZ Kazakhstan Reservation Item 2 is incomplete. Nurlan Head," in text
    assert "AZ Azerbaijan Agreed Elvin Head," in text
    assert "1 of 2 participating member states agree." in text
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED

    # A new version resets the agreements, visibly.
    assert coord.post(url(w, "/versions"), {"text": TEXT_2, "note": "CERTs"}).status_code == 302
    text = page_text(kz.get(url(w)))
    assert "Version 2 replaced version 1" in text
    assert "KZ Kazakhstan Pending Earlier: Reservation on version 1" in text
    assert "AZ Azerbaijan Pending Earlier: Agreed on version 1" in text
    assert "0 of 2 participating member states agree." in text

    # A position on the old version is refused.
    before = snapshot(w.meeting)
    response = kz.post(url(w, "/positions"), {"version": "1", "position": "agree"})
    assert_refused(
        response,
        409,
        "Version 1 is not the current version; the current version is 2.",
        w,
        before,
    )

    # Both agree to version 2: the minutes are agreed at once.
    assert kz.post(url(w, "/positions"), {"version": "2", "position": "agree"}).status_code == 302
    response = az.post(url(w, "/positions"), {"version": "2", "position": "agree"})
    assert response.status_code == 302
    text = page_text(az.get(url(w)))
    assert "the minutes are agreed" in text
    assert "Status Agreed by every participating member state" in text
    minutes = minutes_of(w.meeting)
    assert minutes.status == MinutesStatus.AGREED and minutes.agreed_at is not None

    # Agreed: no new version, no change of position.
    before = snapshot(w.meeting)
    response = coord.post(url(w, "/versions"), {"text": TEXT_2 + "\n4. More."})
    assert_refused(response, 409, "they can only be signed now", w, before)
    response = kz.post(url(w, "/positions"), {"version": "2", "position": "reservation"})
    assert_refused(response, 409, "they can only be signed now", w, before)
    # A delegate may never sign.
    assert delegate.post(url(w, "/sign"), {"version": "2"}).status_code == 403

    # The signatory signs version 2: its SHA-256 is stored and shown.
    assert "Sign version 2" in page_text(sg.get(url(w)))
    assert sg.post_confirmed(url(w, "/sign"), {"version": "2"}).status_code == 302
    minutes = minutes_of(w.meeting)
    # Issue 15: the signed SHA-256 covers the text and the decisions (none here).
    content = json.dumps(
        {"text": STORED_2, "decisions": []},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    assert minutes.status == MinutesStatus.SIGNED
    assert minutes.signed_sha256 == digest
    assert minutes.current.sha256 == hashlib.sha256(STORED_2.encode("utf-8")).hexdigest()
    assert minutes.signed_by_id == w.signatory.id and minutes.signed_at is not None
    text = page_text(delegate.get(url(w)))
    assert f"SHA-256 of the signed text and decisions {digest}" in text
    assert "Signed by Secretary General" in text
    assert "Status Signed" in text

    # Frozen: every attempt to change it is refused and changes nothing.
    before = snapshot(w.meeting)
    frozen = "These minutes are signed; the signed version can never change."
    attempts = [
        (coord, "/versions", {"text": "# Rewritten"}),
        (coord, "/circulate", deadline_form()),
        (coord, "/decisions", {"decision": "Late decision"}),
        (coord, "/sign", {"version": "2"}),
        (sg, "/sign", {"version": "2"}),
        (kz, "/positions", {"version": "2", "position": "reservation", "reservation_text": "x"}),
        (delegate, "/comments", {"comment": "Too late?"}),
    ]
    for client, tail, data in attempts:
        assert_refused(client.post(url(w, tail), data), 409, frozen, w, before)

    # The printable record: text, agreement of the states, signature.
    response = delegate.get(url(w, "/print"))
    assert response.status_code == 200
    text = page_text(response)
    assert "National CERTs cooperate." in text
    assert "Kazakhstan (KZ) Agreed" in text and "Azerbaijan (AZ) Agreed" in text
    assert "Signed by Secretary General" in text and digest in text
    assert "Not signed" not in text

    assert audit_actions() == [
        "minutes.create",
        "minutes.version_add",
        "minutes.circulate",
        "minutes.comment",
        "minutes.position",
        "minutes.position",
        "minutes.version_add",
        "minutes.position",
        "minutes.position",
        "minutes.agreed",
        "minutes.sign",
    ]


def test_a_state_may_change_its_position_until_agreed(people, w):
    circulated(w)
    kz = people["kz_head"]
    assert kz.post(url(w, "/positions"), {"version": "1", "position": "agree"}).status_code == 302
    data = {"version": "1", "position": "reservation", "reservation_text": "On reflection, no."}
    assert kz.post(url(w, "/positions"), data).status_code == 302
    text = page_text(kz.get(url(w)))
    assert "KZ Kazakhstan Reservation On reflection, no." in text
    assert "Recorded now: Reservation." in text
    from konsey.models import AuditEvent

    db.session.rollback()
    event = (
        db.session.query(AuditEvent)
        .filter_by(action="minutes.position")
        .order_by(AuditEvent.id)
        .all()[-1]
    )
    assert (event.details["previous"], event.details["position"]) == ("agree", "reservation")
    assert event.actor_id == w.kz_head.id


# Silence procedure -------------------------------------------------------------------------
def test_silence_procedure_agrees_states_that_stay_silent(people, w):
    deadline = datetime.now(UTC) + timedelta(days=3)
    circulated(w, silence=True, deadline=deadline)
    kz = people["kz_head"]
    assert kz.post(url(w, "/positions"), {"version": "1", "position": "agree"}).status_code == 302

    minutes = minutes_of(w.meeting)
    assert agreement.settle(minutes, deadline - timedelta(minutes=1)) is False
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED

    assert agreement.settle(minutes_of(w.meeting), deadline + timedelta(hours=1)) is True
    minutes = minutes_of(w.meeting)
    assert minutes.status == MinutesStatus.AGREED
    # Idempotent: a second run (or a second worker) changes nothing.
    events = audit_actions()
    assert agreement.settle(minutes, deadline + timedelta(hours=2)) is False
    assert audit_actions() == events
    assert events[-2:] == ["minutes.silence", "minutes.agreed"]

    text = page_text(people["az_head"].get(url(w)))
    assert "AZ Azerbaijan Agreed by silence no reservation by the deadline" in text
    assert "KZ Kazakhstan Agreed Nurlan Head" in text
    from konsey.minutes import queries

    standing = queries.standing(minutes_of(w.meeting))
    kinds = {s.state.code: (s.kind, s.position.recorded_by_id) for s in standing.states}
    assert kinds == {"KZ": ("agree", w.kz_head.id), "AZ": ("silence", None)}


def test_a_reservation_before_the_deadline_breaks_the_silence(people, w):
    deadline = datetime.now(UTC) + timedelta(days=3)
    circulated(w, silence=True, deadline=deadline)
    data = {"version": "1", "position": "reservation", "reservation_text": "Not item 2."}
    assert people["az_head"].post(url(w, "/positions"), data).status_code == 302

    assert agreement.settle(minutes_of(w.meeting), deadline + timedelta(hours=1)) is True
    minutes = minutes_of(w.meeting)
    assert minutes.status == MinutesStatus.CIRCULATED  # Azerbaijan's reservation stands
    text = page_text(people["kz_head"].get(url(w)))
    assert "KZ Kazakhstan Agreed by silence" in text
    assert "AZ Azerbaijan Reservation Not item 2." in text

    # Once Azerbaijan agrees, the minutes are agreed.
    assert agreement.settle(minutes, deadline + timedelta(hours=2)) is False
    agreement.record_position(
        actor(w.az_head),
        minutes_of(w.meeting),
        w.az_head,
        version_number=1,
        position="agree",
        now=deadline + timedelta(hours=3),
    )
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED


def test_without_silence_procedure_the_deadline_agrees_nobody(w):
    deadline = datetime.now(UTC) + timedelta(days=1)
    circulated(w, silence=False, deadline=deadline)
    assert agreement.settle(minutes_of(w.meeting), deadline + timedelta(days=30)) is False
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED


def test_cli_settles_minutes_past_their_deadline(app, w):
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    circulated(w, silence=True, deadline=deadline)
    minutes = minutes_of(w.meeting)
    minutes.comment_deadline = datetime.now(UTC) - timedelta(minutes=1)  # time has passed
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["konsey", "settle-minutes"])
    assert result.exit_code == 0, result.output
    assert "1 minutes record(s) settled." in result.output
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED
    result = app.test_cli_runner().invoke(args=["konsey", "settle-minutes"])
    assert "0 minutes record(s) settled." in result.output


# Who counts, who may ---------------------------------------------------------------------------
def test_observers_never_count_and_never_act(people, w):
    circulated(w)
    observer = people["hu_observer"]
    text = page_text(observer.get(url(w)))  # observers read circulated minutes
    assert "KZ Kazakhstan" in text and "AZ Azerbaijan" in text
    assert "HU Hungary" not in text
    assert "2 participating member states" in text
    assert "Record the position" not in text and "Add the comment" not in text

    before = snapshot(w.meeting)
    for tail, data in [
        ("/positions", {"version": "1", "position": "agree"}),
        ("/comments", {"comment": "Observer view"}),
        ("/versions", {"text": "# Observer text"}),
        ("/circulate", deadline_form()),
        ("/decisions", {"decision": "Observer decision"}),
        ("/sign", {"version": "1"}),
    ]:
        assert_refused(observer.post(url(w, tail), data), 403, "You do not have access", w, before)

    # Both member states agree: agreed, though Hungary said nothing.
    for head in ("kz_head", "az_head"):
        response = people[head].post(url(w, "/positions"), {"version": "1", "position": "agree"})
        assert response.status_code == 302
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED


def test_a_state_takes_part_only_through_its_delegation(people, w):
    """Kyrgyzstan joins the group: its agreement is needed from then on."""
    circulated(w)
    kg = f.make_state("KG", "Kyrgyzstan", tz="Asia/Bishkek")
    kg_expert = f.make_user("expert@kg.example.org", name="Kyrgyz Expert", state=kg)
    f.add(w.group, kg_expert, "expert")
    for head in ("kz_head", "az_head"):
        people[head].post(url(w, "/positions"), {"version": "1", "position": "agree"})
    text = page_text(people["kz_head"].get(url(w)))
    assert "KG Kyrgyzstan Pending — no head of delegation in this group" in text
    assert minutes_of(w.meeting).status == MinutesStatus.CIRCULATED


def test_only_the_head_of_delegation_records_the_position(people, w, make_client):
    circulated(w)
    # Nor may the head of another group's delegation, nor an admin.
    other = f.make_group("other")
    f.add(other, w.outsider, "head")
    clients = [people[name] for name in ("kz_delegate", "coordinator", "signatory")]
    clients += [as_user(make_client, user) for user in (w.outsider, w.admin)]
    before = snapshot(w.meeting)
    for client in clients:
        response = client.post(url(w, "/positions"), {"version": "1", "position": "agree"})
        assert_refused(response, 403, "You do not have access", w, before)


# Bad input -----------------------------------------------------------------------------------
def test_circulating_minutes_without_text_is_refused(people, w):
    services.create_minutes(actor(w.coordinator), w.meeting)
    db.session.commit()
    before = snapshot(w.meeting)
    response = people["coordinator"].post(url(w, "/circulate"), deadline_form())
    assert_refused(response, 422, "The minutes have no text yet", w, before)
    assert minutes_of(w.meeting).status == MinutesStatus.DRAFT


def test_empty_or_unchanged_text_is_refused(people, w):
    coord = people["coordinator"]
    before = snapshot(w.meeting)
    assert_refused(coord.post(url(w, "/versions"), {"text": ""}), 422, "required", w, before)
    assert_refused(
        coord.post(url(w, "/versions"), {"text": " \r\n\t "}),
        422,
        "The minutes need a text.",
        w,
        before,
    )
    assert minutes_of(w.meeting) is None  # not even an empty record
    assert coord.post(url(w, "/versions"), {"text": TEXT_1}).status_code == 302
    before = snapshot(w.meeting)
    response = coord.post(url(w, "/versions"), {"text": TEXT_1.replace("\r\n", "\n")})
    same = "The text and the decisions are the same as version 1."
    assert_refused(response, 422, same, w, before)


def test_deadline_must_be_in_the_future(people, w):
    coord = people["coordinator"]
    coord.post(url(w, "/versions"), {"text": TEXT_1})
    before = snapshot(w.meeting)
    response = coord.post(url(w, "/circulate"), deadline_form(days=-1))
    assert_refused(response, 422, "The comment deadline must be in the future.", w, before)
    response = coord.post(url(w, "/circulate"), {"deadline_date": "2026-02-30"})
    assert response.status_code == 422
    assert snapshot(w.meeting) == before


def test_new_version_after_the_deadline_needs_a_new_deadline(people, w):
    circulated(w)
    minutes = minutes_of(w.meeting)
    minutes.comment_deadline = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    coord = people["coordinator"]
    before = snapshot(w.meeting)
    response = coord.post(url(w, "/versions"), {"text": TEXT_2})
    assert_refused(response, 422, "The comment deadline has passed: give a new one", w, before)
    day = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    data = {"text": TEXT_2, "new_deadline_date": day, "new_deadline_time": "12:00"}
    assert coord.post(url(w, "/versions"), data).status_code == 302
    minutes = minutes_of(w.meeting)
    assert minutes.current.number == 2 and minutes.comment_deadline > datetime.now(UTC)


def test_comments_close_at_the_deadline(people, w):
    circulated(w)
    minutes = minutes_of(w.meeting)
    minutes.comment_deadline = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    delegate = people["kz_delegate"]
    assert "The comment deadline has passed." in page_text(delegate.get(url(w)))
    before = snapshot(w.meeting)
    response = delegate.post(url(w, "/comments"), {"comment": "Late"})
    assert_refused(response, 409, "The comment deadline has passed.", w, before)


def test_decisions_are_listed_with_their_agenda_item(people, w):
    # Issue 15: decisions are marked in the draft; circulated ones are fixed.
    services.add_version(actor(w.coordinator), w.meeting, None, TEXT_1, now=datetime.now(UTC))
    coord = people["coordinator"]
    item = w.items[1]
    data = {"decision": "Exchange CERT contacts.", "agenda_item": str(item.id)}
    assert coord.post(url(w, "/decisions"), data).status_code == 302
    assert coord.post(url(w, "/decisions"), {"decision": "Meet again."}).status_code == 302

    # An agenda item of another meeting is refused.
    from konsey.models import AgendaItem, Meeting

    other = Meeting(group=w.group, title="Other meeting")
    foreign = AgendaItem(meeting=other, position=1, title="Elsewhere")
    db.session.add_all([other, foreign])
    db.session.commit()
    before = snapshot(w.meeting)
    for value in (str(foreign.id), "99999999999999999999", "-3"):
        response = coord.post(url(w, "/decisions"), {"decision": "X", "agenda_item": value})
        assert_refused(response, 422, "Choose an agenda item of this meeting", w, before)
    assert audit_actions()[-2:] == ["minutes.decision_add", "minutes.decision_add"]

    services.circulate(
        actor(w.coordinator),
        minutes_of(w.meeting),
        deadline=datetime.now(UTC) + timedelta(days=7),
        silence_procedure=False,
        now=datetime.now(UTC),
    )
    text = page_text(people["kz_delegate"].get(url(w)))
    assert "Exchange CERT contacts. Agenda item 2: National CERT cooperation" in text
    assert "Meet again." in text


def test_draft_minutes_are_for_their_writers(people, w):
    people["coordinator"].post(url(w, "/versions"), {"text": TEXT_1})
    for name in ("kz_head", "kz_delegate", "hu_observer"):
        assert people[name].get(url(w)).status_code == 403
        assert people[name].get(url(w, "/diff")).status_code == 403
    assert people["signatory"].get(url(w)).status_code == 200
    # The group's list does not reveal the draft either.
    text = page_text(people["kz_delegate"].get("/groups/cyber/minutes"))
    assert "Cyber Security Working Group (3rd Meeting)" in text
    assert "No minutes yet" in text and "Draft" not in text
    text = page_text(people["coordinator"].get("/groups/cyber/minutes"))
    assert "Cyber Security Working Group (3rd Meeting)" in text and "Draft" in text


def test_meeting_without_minutes(people, w):
    assert "This meeting has no minutes yet." in page_text(people["kz_head"].get(url(w)))
    assert "Draft the minutes" not in page_text(people["kz_head"].get(url(w)))
    assert "Draft the minutes" in page_text(people["coordinator"].get(url(w)))
    assert people["kz_head"].get(url(w, "/diff")).status_code == 404
    assert people["kz_head"].get(url(w, "/print")).status_code == 404
    assert people["coordinator"].get("/meetings/2147483647/minutes").status_code == 404


# Diff and print ------------------------------------------------------------------------------
def test_diff_shows_additions_and_deletions(people, w):
    circulated(w)
    people["coordinator"].post(url(w, "/versions"), {"text": TEXT_2})
    response = people["kz_delegate"].get(url(w, "/diff?from=1&to=2"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # Issue 15: word by word over the rendered text, not raw Markdown lines.
    assert '<del><span class="visually-hidden">Removed: </span>CERTs.</del>' in body
    assert '<ins><span class="visually-hidden">Added: </span>CERTs cooperate.</ins>' in body
    assert '<ins><span class="visually-hidden">Added: </span>Close.</ins>' in body
    assert "# Minutes" not in body and "3. Close." not in body
    text = page_text(response)
    assert "Changes from version 1 to version 2" in text
    assert "3 words added, 1 word removed" in text
    # Without parameters: the current version against the one before.
    assert "Changes from version 1 to version 2" in page_text(
        people["kz_delegate"].get(url(w, "/diff"))
    )


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?from=abc&to=2", 400, "Versions are numbered 1, 2, 3"),
        ("?from=-1&to=2", 400, "Versions are numbered"),
        ("?from=1&to=99999999999999999999", 400, "Versions are numbered"),
        ("?from=1&to=%C2%B2", 400, "Versions are numbered"),
        ("?from=7&to=2", 404, "There is no version 7 of these minutes."),
        ("?from=1&to=0", 404, "There is no version 0 of these minutes."),
        ("?from=%00", 400, "NUL"),
    ],
)
def test_hostile_diff_parameters(people, w, query, status, message):
    circulated(w)
    people["coordinator"].post(url(w, "/versions"), {"text": TEXT_2})
    response = people["kz_delegate"].get(url(w, "/diff" + query))
    assert response.status_code == status
    assert message in page_text(response)


def test_print_view_of_unsigned_minutes_says_so(people, w):
    circulated(w)
    text = page_text(people["kz_delegate"].get(url(w, "/print")))
    assert "Not signed" in text
    assert "SHA-256 of the signed text" not in text


# Query counts ----------------------------------------------------------------------------------
def _grow(w, first: int, states: int, versions: int):
    """Add member states with heads who take positions, versions and comments."""
    minutes = minutes_of(w.meeting)
    now = datetime.now(UTC)
    for n in range(first, first + states):
        code = f"Q{chr(65 + n)}"
        state = f.make_state(code, f"State {code}")
        head = f.make_user(f"head@{code.lower()}.example.org", state=state)
        f.add(w.group, head, "head")
    for _ in range(versions):
        text = f"{TEXT_2}\n\nRevision {minutes.current.number + 1}"
        services.add_version(actor(w.coordinator), w.meeting, minutes, text, now=now)
        minutes = minutes_of(w.meeting)
        for head in minutes.meeting.group.memberships:
            if head.role.value == "head":
                agreement.record_position(
                    actor(head.user),
                    minutes,
                    head.user,
                    version_number=minutes.current.number,
                    position="reservation",
                    text="r",
                    now=now,
                )
                services.add_comment(actor(head.user), minutes, head.user, "c", now=now)
    return minutes_of(w.meeting)


def test_minutes_page_runs_a_fixed_number_of_queries(people, w, count_queries):
    circulated(w)
    client = people["kz_head"]
    pages = [url(w), url(w, "/print"), url(w, "/diff"), "/groups/cyber/minutes"]
    _grow(w, first=0, states=1, versions=1)
    client.get(url(w))  # warm up
    small = {}
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200
        small[page] = len(statements)
    _grow(w, first=1, states=6, versions=4)
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200
        assert len(statements) == small[page], (page, statements)
    assert "State QG" in page_text(client.get(url(w)))
