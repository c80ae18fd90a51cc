"""Issue 15: decisions belong to a version of the minutes; agreeing and
signing cover the text and the decisions; circulating and signing wait for
the meeting and ask for confirmation; the diff is word by word."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from konsey.actions import services as action_services
from konsey.extensions import db
from konsey.minutes import record, services
from konsey.minutes.decisions import DecisionRow
from konsey.models import ActionItem, AgendaItem, Decision, Meeting, MinutesStatus, VersionDecision
from tests import factories as f
from tests.integration import minutes_world
from tests.integration.minutes_world import actor, audit_actions, minutes_of, page_text, snapshot

TEXT = "# Minutes\n\nThe delegations met.\n\n1. Opening.\n2. CERTs."


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
    names = ["coordinator", "signatory", "kz_head", "kz_delegate", "az_head", "hu_observer"]
    return {name: as_user(make_client, getattr(w, name)) for name in names}


def now():
    return datetime.now(UTC)


def draft(w, decisions=("Exchange CERT contacts.", "Meet again in spring.")):
    rows = [
        DecisionRow(None, text, w.items[1].id if i == 0 else None)
        for i, text in enumerate(decisions)
    ]
    services.add_version(actor(w.coordinator), w.meeting, None, TEXT, now=now(), decisions=rows)
    return minutes_of(w.meeting)


def circulate(w):
    services.circulate(
        actor(w.coordinator),
        minutes_of(w.meeting),
        deadline=now() + timedelta(days=7),
        silence_procedure=False,
        now=now(),
    )
    return minutes_of(w.meeting)


def decision_ids(w):
    return [d.decision_id for d in minutes_of(w.meeting).current.decisions]


def canonical_sha256(text, decisions):
    data = {"text": text, "decisions": decisions}
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def rows_form(w, minutes, text, changes=None, extra=(), remove=()):
    """The new-version form as a browser sends it."""
    data = {"text": text, "base_version": str(minutes.current.number)}
    for i, d in enumerate(minutes.current.decisions):
        data[f"decisions-{i}-id"] = str(d.decision_id)
        data[f"decisions-{i}-text"] = (changes or {}).get(d.decision_id, d.text)
        data[f"decisions-{i}-agenda_item"] = str(d.agenda_item_id or 0)
        if d.decision_id in remove:
            data[f"decisions-{i}-remove"] = "y"
    n = len(minutes.current.decisions)
    for j, (text_, item) in enumerate(extra):
        data[f"decisions-{n + j}-text"] = text_
        data[f"decisions-{n + j}-agenda_item"] = str(item)
    data[f"decisions-{n + len(extra)}-text"] = ""  # an empty row is ignored
    return data


# Drafts: the coordinator edits the current version's decisions directly --------------
def test_draft_decisions_are_added_changed_and_removed_with_audit(people, w):
    draft(w)
    coord = people["coordinator"]
    first, second = decision_ids(w)
    response = coord.post(
        url(w, f"/decisions/{first}"),
        {"decision": "Exchange CERT contacts monthly.", "agenda_item": "0"},
    )
    assert response.status_code == 302
    response = coord.post(url(w, f"/decisions/{second}/remove"))
    assert response.status_code == 302
    assert coord.post(url(w, "/decisions"), {"decision": "Report in May."}).status_code == 302
    minutes = minutes_of(w.meeting)
    assert [(d.position, d.text, d.agenda_item_id) for d in minutes.current.decisions] == [
        (1, "Exchange CERT contacts monthly.", None),
        (2, "Report in May.", None),
    ]
    # A decision only the draft recorded, with no action, is gone entirely.
    gone = select(Decision).where(Decision.text == "Meet again in spring.")
    assert db.session.scalar(gone) is None
    latest = db.session.get(Decision, first)
    assert (latest.text, latest.position, latest.removed_in_version) == (
        "Exchange CERT contacts monthly.",
        1,
        None,
    )
    assert audit_actions()[-3:] == [
        "minutes.decision_edit",
        "minutes.decision_remove",
        "minutes.decision_add",
    ]
    text = page_text(coord.get(url(w)))
    assert "Exchange CERT contacts monthly." in text and "Meet again in spring." not in text


def test_delegates_and_observers_never_edit_decisions(people, w, make_client):
    draft(w)
    circulate(w)
    first = decision_ids(w)[0]
    before = snapshot(w.meeting)
    for name in ("kz_head", "kz_delegate", "az_head", "hu_observer", "signatory"):
        for tail, data in [
            (f"/decisions/{first}", {"decision": "Mine.", "agenda_item": "0"}),
            (f"/decisions/{first}/remove", {}),
            ("/decisions", {"decision": "Mine."}),
            ("/versions", {"text": "# Mine", "decisions-0-text": "Mine."}),
        ]:
            response = people[name].post(url(w, tail), data)
            assert response.status_code == 403, (name, tail)
    assert snapshot(w.meeting) == before


def test_circulated_decisions_are_fixed(people, w):
    draft(w)
    circulate(w)
    coord = people["coordinator"]
    first = decision_ids(w)[0]
    before = snapshot(w.meeting)
    message = "the decisions of a circulated version are fixed"
    for tail, data in [
        (f"/decisions/{first}", {"decision": "Changed.", "agenda_item": "0"}),
        (f"/decisions/{first}/remove", {}),
        ("/decisions", {"decision": "Late."}),
    ]:
        response = coord.post(url(w, tail), data)
        assert response.status_code == 409, tail
        assert message in page_text(response)
    assert snapshot(w.meeting) == before
    texts = [d.text for d in minutes_of(w.meeting).current.decisions]
    assert texts == ["Exchange CERT contacts.", "Meet again in spring."]


# A new version carries the decisions ---------------------------------------------------
def test_new_version_changes_adds_and_removes_decisions(people, w):
    draft(w)
    circulate(w)
    minutes = minutes_of(w.meeting)
    first, second = decision_ids(w)
    action = action_services.create_action(
        actor(w.coordinator),
        w.group,
        title="Plan the spring meeting",
        due_date=(now() + timedelta(days=30)).date(),
        now=now(),
        owner_state=w.kz,
        decision_id=second,
    )
    db.session.commit()
    coord = people["coordinator"]
    data = rows_form(
        w,
        minutes,
        TEXT,
        changes={first: "Exchange CERT contacts every month."},
        extra=[("Publish a glossary.", w.items[0].id)],
        remove={second},
    )
    assert coord.post(url(w, "/versions"), data).status_code == 302
    minutes = minutes_of(w.meeting)
    assert minutes.current.number == 2
    v1, v2 = minutes.versions
    assert [d.text for d in v1.decisions] == ["Exchange CERT contacts.", "Meet again in spring."]
    assert [(d.position, d.text) for d in v2.decisions] == [
        (1, "Exchange CERT contacts every month."),
        (2, "Publish a glossary."),
    ]
    removed = db.session.get(Decision, second)
    assert removed.removed_in_version == 2 and removed.text == "Meet again in spring."
    assert db.session.get(Decision, first).text == "Exchange CERT contacts every month."

    text = page_text(people["kz_delegate"].get(url(w)))
    assert "Decisions of version 2" in text
    assert "Meet again in spring. removed in version 2" in text
    assert "Plan the spring meeting" in text  # its action, listed read-only
    # Version 1 had been circulated: the page says version 2 replaced it.
    assert "Version 2 replaced version 1" in text

    # The diff shows the decision changes, by decision.
    diff = people["kz_delegate"].get(url(w, "/diff?from=1&to=2"))
    body, words = diff.get_data(as_text=True), page_text(diff)
    assert "Added in version 2 as decision 2: Publish a glossary." in words
    assert "Removed in version 2 (was decision 2): Meet again in spring." in words
    assert "Decision 1 changed:" in words
    assert '<ins><span class="visually-hidden">Added: </span>contacts every month.</ins>' in body
    assert action.decision_id == second


def test_a_new_version_that_changes_only_decisions_is_accepted(people, w):
    draft(w)
    minutes = minutes_of(w.meeting)
    coord = people["coordinator"]
    same = rows_form(w, minutes, TEXT)
    before = snapshot(w.meeting)
    response = coord.post(url(w, "/versions"), same)
    assert response.status_code == 422
    assert "The text and the decisions are the same as version 1." in page_text(response)
    assert snapshot(w.meeting) == before
    first = decision_ids(w)[0]
    changed = rows_form(w, minutes, TEXT, changes={first: "Exchange CERT contacts weekly."})
    assert coord.post(url(w, "/versions"), changed).status_code == 302
    assert minutes_of(w.meeting).current.number == 2
    # "replaced" is said only when the replaced version had been circulated.
    assert "replaced version 1" not in page_text(coord.get(url(w)))


def test_an_agenda_item_of_another_meeting_is_refused(people, w):
    draft(w)
    other = Meeting(group=w.group, title="Other meeting")
    foreign = AgendaItem(meeting=other, position=1, title="Elsewhere")
    db.session.add_all([other, foreign])
    db.session.commit()
    minutes = minutes_of(w.meeting)
    before = snapshot(w.meeting)
    data = rows_form(w, minutes, TEXT + "\n\nMore.", extra=[("Foreign.", foreign.id)])
    response = people["coordinator"].post(url(w, "/versions"), data)
    assert response.status_code == 422
    assert "Choose an agenda item of this meeting, or none." in page_text(response)
    assert snapshot(w.meeting) == before
    # An existing decision's id that is not of this version is refused too.
    data = {"text": TEXT + "\n\nMore.", "decisions-0-id": "99999", "decisions-0-text": "X"}
    response = people["coordinator"].post(url(w, "/versions"), data)
    assert response.status_code == 422
    assert "Not a decision of the current version" in page_text(response)
    assert snapshot(w.meeting) == before


def test_two_coordinators_writing_the_next_version_one_wins(people, w, make_client):
    draft(w)
    minutes = minutes_of(w.meeting)
    second_coordinator = f.make_user("pd2@secretariat.example.org", name="Deputy Director")
    f.add(w.group, second_coordinator, "coordinator")
    db.session.commit()
    other = as_user(make_client, second_coordinator)
    mine = rows_form(w, minutes, TEXT + "\n\nMine.")
    theirs = rows_form(w, minutes, TEXT + "\n\nTheirs.", extra=[("Their decision.", 0)])
    assert people["coordinator"].post(url(w, "/versions"), mine).status_code == 302
    before = snapshot(w.meeting)
    response = other.post(url(w, "/versions"), theirs)
    assert response.status_code == 409
    assert "Version 2 was written meanwhile" in page_text(response)
    assert snapshot(w.meeting) == before
    assert db.session.scalar(select(Decision).where(Decision.text == "Their decision.")) is None


# Agreeing and signing cover the text and the decisions --------------------------------
def test_signing_hashes_text_and_decisions_and_the_record_shows_them(people, w):
    draft(w)
    circulate(w)
    first, second = decision_ids(w)
    services.add_version(
        actor(w.coordinator),
        w.meeting,
        minutes_of(w.meeting),
        TEXT,
        now=now(),
        decisions=[DecisionRow(first, "Exchange CERT contacts weekly.", w.items[1].id)],
    )
    for head in ("kz_head", "az_head"):
        response = people[head].post(url(w, "/positions"), {"version": "2", "position": "agree"})
        assert response.status_code == 302
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED
    assert people["signatory"].post_confirmed(url(w, "/sign"), {"version": "2"}).status_code == 302
    minutes = minutes_of(w.meeting)
    expected = canonical_sha256(
        TEXT, [{"number": 1, "agenda_item": 2, "text": "Exchange CERT contacts weekly."}]
    )
    assert minutes.signed_sha256 == expected
    data = json.loads(minutes.signed_record)
    assert data["format"] == record.FORMAT == 2
    assert [d["text"] for d in data["decisions"]] == ["Exchange CERT contacts weekly."]
    assert data["version"]["content_sha256"] == expected
    assert record.load(minutes).content_sha256 == expected
    printed = page_text(people["kz_delegate"].get(url(w, "/print")))
    assert "Exchange CERT contacts weekly." in printed
    assert "Meet again in spring." not in printed
    page = page_text(people["kz_delegate"].get(url(w)))
    assert f"SHA-256 of the signed text and decisions {expected}" in page
    api = people["kz_delegate"].get(f"/api/v1{url(w)}").get_json()
    assert api["sha256"] == expected
    assert [d["text"] for d in api["decisions"]] == ["Exchange CERT contacts weekly."]
    assert api["removed_decisions"] == [
        {"id": second, "text": "Meet again in spring.", "removed_in_version": 2}
    ]


def test_a_format_1_record_still_loads_and_verifies(people, w):
    draft(w)
    minutes = minutes_of(w.meeting)
    old = {
        "format": 1,
        "group": {"slug": "cyber", "name": "Cyber Security"},
        "meeting": {
            "id": w.meeting.id,
            "title": "Cyber Security Working Group",
            "number": "3rd Meeting",
            "starts_at": None,
            "ends_at": None,
            "timezone": "Europe/Istanbul",
            "venue": "",
            "online_url": "",
        },
        "version": {"number": 1, "text": TEXT, "sha256": "a" * 64, "created_at": None},
        "comment_deadline": None,
        "silence_procedure": False,
        "agreed_at": None,
        "decisions": [{"id": 1, "position": 1, "text": "Old decision.", "agenda_item": None}],
        "states": [],
        "signed_by": {"id": w.signatory.id, "name": "Secretary General"},
        "signed_at": now().isoformat(),
    }
    text = record.canonical(old)
    minutes.status = MinutesStatus.SIGNED
    minutes.signed_at = now()
    minutes.signed_by_id = w.signatory.id
    minutes.signed_sha256 = "a" * 64
    minutes.signed_record = text
    minutes.signed_record_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    db.session.commit()
    loaded = record.load(minutes_of(w.meeting))
    assert loaded.intact and loaded.format == 1 and loaded.content_sha256 is None
    assert loaded.decisions[0].number == 1
    page = page_text(people["kz_delegate"].get(url(w)))
    assert "Old decision." in page
    assert "SHA-256 of the signed text " + "a" * 64 in page
    assert "The stored record matches its SHA-256." in page_text(
        people["kz_delegate"].get(url(w, "/print"))
    )


# Guards and confirmations ----------------------------------------------------------------
@pytest.mark.parametrize("starts", [None, "future"])
def test_no_circulating_or_signing_before_the_meeting_has_begun(people, w, starts):
    draft(w)
    meeting = db.session.get(Meeting, w.meeting.id)
    meeting.starts_at = None if starts is None else now() + timedelta(days=150)
    meeting.ends_at = None if starts is None else meeting.starts_at + timedelta(hours=3)
    db.session.commit()
    before = snapshot(w.meeting)
    day = (now() + timedelta(days=7)).date().isoformat()
    response = people["coordinator"].post_confirmed(
        url(w, "/circulate"), {"deadline_date": day, "deadline_time": "18:00"}
    )
    assert response.status_code == 409
    reason = "cannot be circulated before"
    assert reason in page_text(response)
    assert snapshot(w.meeting) == before
    with pytest.raises(services.Conflict, match="cannot be circulated before"):
        services.circulate(
            actor(w.coordinator),
            minutes_of(w.meeting),
            deadline=now() + timedelta(days=7),
            silence_procedure=False,
            now=now(),
        )
    # Agreed minutes (set directly) of a meeting not yet begun cannot be signed.
    db.session.rollback()
    minutes = minutes_of(w.meeting)
    minutes.status = MinutesStatus.AGREED
    db.session.commit()
    before = snapshot(w.meeting)
    response = people["signatory"].post_confirmed(url(w, "/sign"), {"version": "1"})
    assert response.status_code == 409
    assert "cannot be signed before" in page_text(response)
    assert snapshot(w.meeting) == before


def test_circulating_and_signing_ask_first_and_a_forged_confirmation_changes_nothing(people, w):
    draft(w)
    coord, sg = people["coordinator"], people["signatory"]
    day = (now() + timedelta(days=7)).date().isoformat()
    form = {"deadline_date": day, "deadline_time": "18:00"}
    before = snapshot(w.meeting)
    asked = coord.post(url(w, "/circulate"), form)
    assert asked.status_code == 200
    text = page_text(asked)
    assert "Circulate version 1 of the minutes to the delegations?" in text
    assert "its text and decisions are fixed" in text
    assert snapshot(w.meeting) == before
    forged = coord.post(url(w, "/circulate"), {**form, "confirm": "forged"})
    assert forged.status_code == 400
    assert snapshot(w.meeting) == before
    # A token for signing does not confirm circulating.
    assert coord.post_confirmed(url(w, "/circulate"), form).status_code == 302
    for head in (w.kz_head, w.az_head):
        from konsey.minutes import agreement

        agreement.record_position(
            actor(head), minutes_of(w.meeting), head, version_number=1, position="agree", now=now()
        )
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED
    before = snapshot(w.meeting)
    asked = sg.post(url(w, "/sign"), {"version": "1"})
    assert asked.status_code == 200
    assert "Signing freezes version 1 and its decisions for good." in page_text(asked)
    assert snapshot(w.meeting) == before
    assert sg.post(url(w, "/sign"), {"version": "1", "confirm": "x.y.z"}).status_code == 400
    assert snapshot(w.meeting) == before
    assert minutes_of(w.meeting).status == MinutesStatus.AGREED
    assert sg.post_confirmed(url(w, "/sign"), {"version": "1"}).status_code == 302
    assert minutes_of(w.meeting).status == MinutesStatus.SIGNED


# Bounded queries ---------------------------------------------------------------------------
def test_page_and_diff_run_a_fixed_number_of_queries_with_many_decisions(people, w, count_queries):
    draft(w, decisions=("One.",))
    circulate(w)
    pages = [url(w), url(w, "/diff"), url(w, "/print")]

    def grow(n):
        minutes = minutes_of(w.meeting)
        rows = [
            DecisionRow(d.decision_id, d.text + " Again.", d.agenda_item_id)
            for d in minutes.current.decisions
        ]
        rows += [DecisionRow(None, f"Decision {i}.", w.items[i % 2].id) for i in range(n)]
        services.add_version(
            actor(w.coordinator),
            w.meeting,
            minutes,
            TEXT + f"\n\nGrown {n}.",
            now=now(),
            decisions=rows,
        )
        db.session.commit()
        with_actions = set(db.session.scalars(select(ActionItem.decision_id)))
        for d in minutes_of(w.meeting).current.decisions[:3]:
            if d.decision_id not in with_actions:
                action_services.create_action(
                    actor(w.coordinator),
                    w.group,
                    title=f"Act on {d.decision_id}",
                    due_date=(now() + timedelta(days=9)).date(),
                    now=now(),
                    owner_state=w.kz,
                    decision_id=d.decision_id,
                )
        db.session.commit()

    grow(1)
    client = people["coordinator"]
    client.get(url(w))
    small = {}
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200
        small[page] = len(statements)
    grow(40)
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200
        assert len(statements) == small[page], (page, len(statements), small[page])
    assert db.session.scalar(select(VersionDecision.id).limit(1)) is not None


def test_a_draft_decision_with_an_action_is_kept_when_removed(people, w):
    draft(w)
    first, _second = decision_ids(w)
    action_services.create_action(
        actor(w.coordinator),
        w.group,
        title="Collect the CERT contacts",
        due_date=(now() + timedelta(days=30)).date(),
        now=now(),
        owner_state=w.kz,
        decision_id=first,
    )
    db.session.commit()
    coord = people["coordinator"]
    text = page_text(coord.get(url(w)))
    assert "Create an action from this decision (1 existing action)" in text
    assert "Create an action from this decision (0 existing actions)" in text
    assert coord.post(url(w, f"/decisions/{first}/remove")).status_code == 302
    kept = db.session.get(Decision, first)
    assert kept is not None and kept.removed_in_version == 1
    text = page_text(coord.get(url(w)))
    assert "Exchange CERT contacts. removed in version 1" in text
    assert "Collect the CERT contacts" in text
    # Delegates see the decisions but no control to change them or make actions.
    circulate(w)
    delegate = page_text(people["kz_delegate"].get(url(w)))
    assert "Meet again in spring." in delegate
    assert "Change or remove decision" not in delegate
    assert "Create an action from this decision" not in delegate
    assert "Coordinator’s controls" not in delegate


@pytest.mark.postgres
def test_two_new_versions_sent_at_once_one_is_written_the_other_gets_409(w, live_url):
    """A double submission (or two coordinators) on the same base version, as
    real parallel requests: exactly one version 2, its decisions once."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from konsey import audit
    from konsey.auth.api_tokens import create_token
    from tests.conftest import BACKEND

    if BACKEND != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    minutes = draft(w)
    _, secret = create_token(audit.SYSTEM, w.coordinator, "system")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Host": "konsey.test"}
    endpoint = f"{live_url}/api/v1/meetings/{w.meeting.id}/minutes/versions"
    barrier = threading.Barrier(2)

    def send(n):
        barrier.wait()
        body = {"text": TEXT + f"\n\nAmended ({n}).", "base_version": 1}
        return requests.post(endpoint, json=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(send, [1, 2]))
    assert codes == [201, 409], codes
    db.session.expire_all()
    minutes = minutes_of(w.meeting)
    assert [v.number for v in minutes.versions] == [1, 2]
    carried = db.session.scalars(
        select(VersionDecision).where(VersionDecision.version_id == minutes.current.id)
    ).all()
    assert sorted(d.text for d in carried) == ["Exchange CERT contacts.", "Meet again in spring."]
