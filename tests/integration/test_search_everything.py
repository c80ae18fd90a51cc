"""Search across everything, as a reader uses it: documents, minutes, decisions,
agenda items and action items, in their word forms (ru, tr, en) on whichever
database runs the tests; nothing the reader may not open is listed, counted or
snippeted; the index follows every change in the same transaction."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from konsey import audit, policy
from konsey.actions import services as actions
from konsey.documents import services as documents
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Decision,
    Document,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    MinutesVersion,
)
from konsey.policy import Action, DocumentAudience, RecordAudience
from konsey.search import index, query
from tests import factories as f
from tests.integration.conftest import login_as
from tests.integration.documents_support import run_extraction

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
ROLES = [
    "admin",
    "coordinator",
    "signatory",
    "head",
    "delegate",
    "expert",
    "observer",
    "outsider",
    "elsewhere",
]


def _plain(html: str) -> str:
    return re.sub(r"</?mark>", "", html)


def _doc(world, title, text: str, *, visibility="group", group=None, language="en"):
    [document] = documents.create_documents(
        audit.Actor(user=world["users"]["admin" if group else "delegate"]),
        group or world["group"],
        [documents.Upload(io.BytesIO(text.encode()), "paper.txt")],
        title=title,
        description="",
        kind="report",
        language=language,
        visibility=visibility,
    )
    return document


def _meeting(group, title, starts=NOW):
    meeting = Meeting(group=group, title=title, starts_at=starts, status=MeetingStatus.HELD)
    db.session.add(meeting)
    return meeting


def _minutes(meeting, text, status):
    minutes = Minutes(meeting=meeting, status=status)
    version = MinutesVersion(
        minutes=minutes, number=1, text=text, sha256=hashlib.sha256(text.encode()).hexdigest()
    )
    db.session.add_all([minutes, version])
    return minutes


def _action(world, title, description="", group=None):
    return actions.create_action(
        audit.Actor(user=world["users"]["admin"]),
        group or world["group"],
        title=title,
        description=description,
        due_date=date(2026, 12, 31),
        now=NOW,
        owner_state=world["states"]["KZ"],
    )


@pytest.fixture
def people(world):
    other = f.make_group("other", "Other group")
    users = world["users"]
    users["elsewhere"] = f.make_user("elsewhere@kz.example.org", state=world["states"]["KZ"])
    f.add(other, users["elsewhere"], "delegate")
    users["signatory"] = f.make_user("sg@secretariat.example.org", is_signatory=True)
    f.add(world["group"], users["signatory"], "observer")
    for who in ("elsewhere", "signatory"):
        world["sessions"][who] = users[who].get_id()
    world["other"] = other
    db.session.commit()
    return world


@pytest.fixture
def records(people):
    """One of each kind mentioning "zephyr", some of them out of some readers' reach."""
    w = people
    group = w["group"]
    held = _meeting(group, "Zephyr meeting")
    drafted = _meeting(group, "Drafting meeting", NOW - timedelta(days=30))
    agenda = AgendaItem(meeting=held, position=1, title="Zephyr agenda", description="plan")
    circulated = _minutes(held, "The zephyr circulated record.", MinutesStatus.CIRCULATED)
    draft = _minutes(drafted, "The zephyr draft record.", MinutesStatus.DRAFT)
    db.session.add(agenda)
    db.session.flush()
    decided = Decision(minutes=circulated, position=1, text="Zephyr decided openly.")
    drafted_decision = Decision(minutes=draft, position=1, text="Zephyr decided in draft.")
    db.session.add_all([decided, drafted_decision])
    db.session.commit()
    made = {
        "agenda": agenda,
        "circulated": circulated,
        "draft": draft,
        "decision": decided,
        "draft_decision": drafted_decision,
        "action": _action(w, "Zephyr action", "Report on zephyr."),
        "other_action": _action(w, "Zephyr elsewhere", group=w["other"]),
        "group_doc": _doc(w, "Zephyr group paper", "zephyr"),
        "council_doc": _doc(w, "Zephyr council paper", "zephyr", visibility="council"),
        "other_doc": _doc(w, "Zephyr other paper", "zephyr", group=w["other"]),
    }
    db.session.commit()
    run_extraction()
    return made


ACTIONS = {
    "agenda_item": Action.GROUP_VIEW,
    "minutes": Action.MINUTES_VIEW,
    "action": Action.ACTION_VIEW,
    "document": Action.DOCUMENT_VIEW,
}


def _key(obj) -> tuple[str, int]:
    kind = {
        AgendaItem: "agenda_item",
        Minutes: "minutes",
        Decision: "decision",
        ActionItem: "action",
        Document: "document",
    }[type(obj)]
    return kind, obj.id


def _may_open(user, obj) -> bool:
    kind, _id = _key(obj)
    if kind == "decision":
        return policy.can(user, Action.MINUTES_VIEW, obj.minutes)
    target = obj.meeting if kind == "agenda_item" else obj
    return policy.can(user, ACTIONS[kind], target)


# Access ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ROLES)
def test_results_are_exactly_what_the_reader_may_open(client, people, records, who):
    user = people["users"][who]
    expected = {_key(o) for o in records.values() if _may_open(user, o)}
    login_as(client, people, who)
    answer = client.http.get("/api/v1/search?q=zephyr").get_json()
    assert {(r["kind"], r["id"]) for r in answer["results"]} == expected
    assert answer["total"] == len(expected)
    page = client.get("/search?q=zephyr")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    hidden_words = {
        "draft": "draft record",
        "draft_decision": "decided in draft",
        "other_action": "Zephyr elsewhere",
        "other_doc": "Zephyr other paper",
        "group_doc": "Zephyr group paper",
        "action": "Zephyr action",
        "agenda": "Zephyr agenda",
        "circulated": "circulated record",
    }
    for name, words in hidden_words.items():  # no title nor text, on the page or in JSON
        if _key(records[name]) not in expected:
            assert words not in _plain(text), (who, name)
            assert words not in _plain(str(answer)), (who, name)
    assert len(re.findall(r'<li class="search-hit', text)) == len(expected)
    for r in answer["results"]:  # every result opens for this reader
        assert client.get(r["link"].split("#")[0]).status_code == 200, (who, r)


@pytest.mark.parametrize("who", ROLES)
def test_each_sql_condition_agrees_with_can(people, records, who):
    user = people["users"][who]
    docs = DocumentAudience.of(user).condition()
    rec = RecordAudience.of(user)
    conditions = {
        "agenda_item": (AgendaItem, rec.agenda_items()),
        "minutes": (Minutes, rec.minutes()),
        "decision": (Decision, rec.decisions()),
        "action": (ActionItem, rec.actions()),
        "document": (Document, docs),
    }
    for obj in records.values():
        kind, object_id = _key(obj)
        model, condition = conditions[kind]
        found = db.session.scalar(select(model.id).where(model.id == object_id, condition))
        assert (found is not None) == _may_open(user, obj), (who, kind, obj.id)


# Word forms ----------------------------------------------------------------------------
@pytest.fixture
def forms(people):
    w = people
    meeting = _meeting(w["group"], "Заседание группы")
    _minutes(
        meeting,
        "Группа обсудила вопросы кибербезопасности. Toplantısında kararlar alındı.",
        MinutesStatus.CIRCULATED,
    )
    db.session.commit()
    made = {
        "document": _doc(
            w, "Стратегия", "Национальная стратегия кибербезопасности.", language="ru"
        ),
        "action": _action(w, "Отчёт по кибербезопасности", "Подготовить отчёт."),
        "english": _doc(w, "Calendar", "The meetings of the group.", language="en"),
        "turkish": _doc(w, "Tutanak", "Grubun toplantısında alınan kararlar.", language="tr"),
    }
    run_extraction()
    return made


def _kinds(client, q, **params) -> list[tuple[str, str]]:
    answer = client.http.get("/api/v1/search", query_string={"q": q, **params})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [(r["kind"], _plain(r["title_html"])) for r in answer.get_json()["results"]]


def test_russian_word_forms_across_minutes_documents_and_actions(client, people, forms):
    login_as(client, people, "delegate")
    found = _kinds(client, "кибербезопасность")
    assert {kind for kind, _title in found} == {"minutes", "document", "action"}
    answer = client.http.get("/api/v1/search?q=кибербезопасность&kind=minutes").get_json()
    assert "<mark>кибербезопасности</mark>" in answer["results"][0]["snippet_html"]


def test_turkish_and_english_word_forms(client, people, forms):
    login_as(client, people, "delegate")
    assert ("document", "Tutanak") in _kinds(client, "toplantı")
    assert ("minutes", "Заседание группы") in _kinds(client, "toplantı")
    assert _kinds(client, "meeting", kind="document") == [("document", "Calendar")]
    assert _kinds(client, "meetings", kind="document") == [("document", "Calendar")]


def test_filters_kind_group_language_and_dates(client, people, forms):
    login_as(client, people, "delegate")
    assert _kinds(client, "кибербезопасность", kind="action") == [
        ("action", "Отчёт по кибербезопасности")
    ]
    assert _kinds(client, "кибербезопасность", language="ru") == [("document", "Стратегия")]
    assert _kinds(client, "кибербезопасность", group="other") == []
    assert len(_kinds(client, "кибербезопасность", group="wg")) == 3
    day = NOW.date().isoformat()
    assert _kinds(client, "кибербезопасность", kind="minutes", **{"from": day, "to": day})
    assert not _kinds(client, "кибербезопасность", kind="minutes", to="2020-01-01")


# Bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "users"}, "kind"),
        ({"group": "no-such-group"}, "group"),
        ({"from": "31.12.2026"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ({"language": "x" * 50}, "language"),
        ({"page": "0"}, "page"),
        ({"q": "x" * 10_001}, "q"),
    ],
)
def test_bad_filters_are_refused_with_the_reason(client, people, params, field):
    login_as(client, people, "delegate")
    answer = client.http.get("/api/v1/search", query_string={"q": "zephyr", **params})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["error"]["field"] == field
    if field not in ("page", "q"):
        page = client.get("/search", query_string={"q": "zephyr", **params})
        assert page.status_code == 400
        assert 'role="alert"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        '"zephyr',
        "zephyr*",
        "NEAR(zephyr action, 2)",
        "zephyr: & | ! ( ) ^ - ~",
        "' \" ` ; ) ( } {",
        "%_%\\",
    ],
)
def test_syntax_is_just_words(client, people, records, q):
    login_as(client, people, "coordinator")
    answer = client.http.get("/api/v1/search", query_string={"q": q})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert client.get("/search", query_string={"q": q}).status_code == 200
    if query.terms_of(q)[:1] == ["zephyr"]:
        assert answer.get_json()["total"] >= 5


def test_a_search_runs_a_bounded_number_of_queries(client, people, records, count_queries):
    login_as(client, people, "delegate")
    client.get("/search?q=zephyr")
    with count_queries() as few:
        client.get("/search?q=zephyr&kind=document")
    with count_queries() as many:
        answer = client.http.get("/api/v1/search?q=zephyr")
    assert len(answer.get_json()["results"]) >= 5
    # The API also gives each document hit its document object (documents with
    # their versions, translation statuses, groups): 3 more, whatever their number.
    assert len(many) <= 11 and len(many) <= len(few) + 4, [len(few), len(many)]


# The index follows every change --------------------------------------------------------
def _titles(client, q) -> set[str]:
    return {title for _kind, title in _kinds(client, q)}


def test_changes_reach_the_index_in_their_transaction(client, people, records):
    login_as(client, people, "coordinator")
    item = db.session.get(ActionItem, records["action"].id)
    item.title = "Quixotic action"
    db.session.add(
        ActionUpdate(
            action=item,
            new_status=ActionStatus.IN_PROGRESS,
            comment="Halfway through the labyrinth.",
            reference="ref-velvet",
        )
    )
    db.session.commit()
    assert _titles(client, "quixotic") == {"Quixotic action"}
    assert _titles(client, "labyrinth") == {"Quixotic action"}
    assert _titles(client, "velvet") == {"Quixotic action"}
    assert "Zephyr action" not in _titles(client, "zephyr")

    # A meeting's new title is its minutes' and decisions' title (and its date theirs).
    db.session.get(Meeting, records["agenda"].meeting_id).title = "Renamed gathering"
    db.session.commit()
    assert {k for k, _t in _kinds(client, "gathering")} == {"minutes", "decision"}

    db.session.delete(db.session.get(AgendaItem, records["agenda"].id))
    documents.soft_delete(
        audit.Actor(user=people["users"]["coordinator"]),
        db.session.get(Document, records["group_doc"].id),
    )
    db.session.commit()
    left = _titles(client, "zephyr")
    assert "Zephyr agenda" not in left and "Zephyr group paper" not in left

    # A rolled-back change leaves the index as it was.
    item = db.session.get(ActionItem, records["action"].id)
    item.title = "Ephemeral title"
    db.session.flush()
    db.session.rollback()
    assert _titles(client, "ephemeral") == set()


def test_reindex_rebuilds_everything(app, people, records):
    runner = app.test_cli_runner()
    db.session.execute(index.engines.TABLE.delete())
    db.session.commit()
    result = runner.invoke(args=["konsey", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output
    counts = index.reindex()
    count = lambda statement: db.session.scalar(select(func.count()).select_from(statement))  # noqa: E731
    assert counts == {
        "document": count(select(Document.id).where(Document.deleted_at.is_(None)).subquery()),
        "minutes": count(select(MinutesVersion.minutes_id).distinct().subquery()),
        "decision": count(
            select(Decision.id).where(Decision.removed_in_version.is_(None)).subquery()
        ),
        "agenda_item": count(select(AgendaItem.id).subquery()),
        "action": count(select(ActionItem.id).subquery()),
    }
    assert counts["document"] >= 3 and counts["action"] >= 2
    stored = db.session.scalar(select(func.count()).select_from(index.engines.TABLE))
    assert stored == sum(counts.values())
    assert f"{sum(counts.values())} entries" in result.output


def test_accents_are_folded_except_where_they_are_letters(client, people):
    _doc(people, "Roaming note", "Roaming between Türkiye and Azerbaijan.", language="en")
    _doc(people, "Ёлочная записка", "Решение о ёлках.", language="ru")
    run_extraction()
    login_as(client, people, "delegate")
    assert _kinds(client, "Turkiye") == [("document", "Roaming note")]
    assert _kinds(client, "елках") == [("document", "Ёлочная записка")]


def test_the_openapi_document_describes_the_search(client):
    spec = client.http.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "kind", "group", "language", "from", "to", "page"} <= names
    assert {"200", "401", "422"} <= set(operation["responses"])
    hit = spec["components"]["schemas"]["SearchHit"]["properties"]
    assert {"kind", "group", "snippet_html", "link", "date"} <= set(hit)


def test_api_document_hits_carry_the_document_as_before(client, people, records):
    """Scripts written for the documents-only search read ``document`` in each
    hit: a document hit still carries it, other kinds carry null."""
    login_as(client, people, "coordinator")
    results = client.http.get("/api/v1/search?q=zephyr").get_json()["results"]
    documents = [r for r in results if r["kind"] == "document"]
    assert documents and all(r["document"]["id"] == r["id"] for r in documents)
    assert all("versions" in r["document"] or "languages" in r["document"] for r in documents)
    assert all(r["document"] is None for r in results if r["kind"] != "document")
