"""Document symbols: group patterns, numbering on first upload (unique under
concurrency, never reused), revisions / addenda / corrigenda, and the symbol
wherever documents appear."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from konsey import audit
from konsey.documents import lineage, services, symbols
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import AgendaItem, AuditEvent, Document, Meeting, SymbolCounter, WorkingGroup
from tests import factories as f
from tests.integration.conftest import login_as
from tests.integration.documents_support import MULTIPART, counts, upload_form
from tests.integration.meetings_data import page_text

YEAR = datetime.now(UTC).year
PATTERN = "TC/ICT/CS/{year}/{n}"


@pytest.fixture
def w(world):
    group = world["group"]
    group.symbol_pattern = PATTERN
    db.session.commit()
    return world


def _actor(world, who="delegate"):
    return audit.Actor(user=world["users"][who])


def _make(world, title="Paper", *, kind="working_paper", group=None, who="delegate", **kw):
    [document] = services.create_documents(
        _actor(world, who),
        group or world["group"],
        [services.Upload(io.BytesIO(kw.pop("content", title.encode())), "paper.txt")],
        title=title,
        kind=kind,
        language="en",
        visibility=kw.pop("visibility", "group"),
        **kw,
    )
    return document


def _related(world, parent, relation, who="delegate", title=None):
    return lineage.create(
        _actor(world, who),
        parent,
        services.Upload(io.BytesIO(f"{relation} of {parent.symbol}".encode()), "rel.txt"),
        relation=relation,
        language="en",
        title=title,
    )


def _fresh(document_id) -> Document:
    db.session.expire_all()
    return db.session.get(Document, document_id)


# Patterns -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern",
    ["TC/ICT/CS/{year}/{n}", "{group}/{n}", "TC/{meeting}/{year}/{n}", "A-{n}", "  X/{n}  "],
)
def test_valid_patterns_are_kept(ctx, pattern):
    assert symbols.check_pattern(pattern, group_slug="cyber-security") == pattern.strip()


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("TC/{yaer}/{n}", "Unknown token {yaer} in the symbol pattern"),
        ("TC/{Year}/{n}", "Unknown token {Year}"),
        ("TC/ICT/CS/{year}", "The symbol pattern needs {n}"),
        ("TC/{n}/{n}", "Each token may appear only once"),
        ("TC/{year/{n}", "opens or closes no token"),
        ("TC/year}/{n}", "opens or closes no token"),
        ("ТС/{n}", "Use only Latin letters"),
        ("TC\n/{n}", "Use only Latin letters"),
        ("X" * 81 + "{n}", "too long"),
        ("{group}/{group}/{n}", "Each token may appear only once"),
    ],
)
def test_bad_patterns_are_refused_with_the_reason(ctx, pattern, reason):
    with pytest.raises(ValidationError) as refused:
        symbols.check_pattern(pattern, group_slug="cs")
    assert reason in refused.value.message
    assert refused.value.field == "symbol_pattern"


def test_a_pattern_too_long_for_the_group_short_name_is_refused(ctx):
    with pytest.raises(ValidationError, match="longer than 100"):
        symbols.check_pattern("TC/ICT/{group}/{year}/{n}", group_slug="x" * 64 + "y" * 20)


def _group_form(group, **overrides):
    return {"slug": group.slug, "name": group.name, "mandate": "", **overrides}


def test_admin_sets_the_pattern_and_a_bad_one_changes_nothing(client, w):
    login_as(client, w, "admin")
    group = w["group"]
    response = client.post(
        f"/admin/groups/{group.id}", _group_form(group, symbol_pattern="WG/{group}/{year}/{n}")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkingGroup, group.id).symbol_pattern == "WG/{group}/{year}/{n}"
    page = page_text(client.get(f"/admin/groups/{group.id}"))
    assert "Symbol pattern of official documents" in page

    for bad, reason in [
        ("WG/{number}", "Unknown token {number} in the symbol pattern"),
        ("WG/{year}", "The symbol pattern needs {n}, the running number"),
    ]:
        response = client.post(
            f"/admin/groups/{group.id}", _group_form(group, name="Renamed", symbol_pattern=bad)
        )
        assert response.status_code == 422
        assert reason in page_text(response)
        db.session.expire_all()
        saved = db.session.get(WorkingGroup, group.id)
        assert (saved.name, saved.symbol_pattern) == (group.name, "WG/{group}/{year}/{n}")

    # Empty: no more symbols (those given stay).
    response = client.post(f"/admin/groups/{group.id}", _group_form(group, symbol_pattern=" "))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkingGroup, group.id).symbol_pattern is None


# Assignment -----------------------------------------------------------------------
def test_official_kinds_are_numbered_on_first_upload_others_are_not(w):
    wp = _make(w, "Working paper")
    report = _make(w, "Report", kind="report")
    minutes = _make(w, "Minutes", kind="minutes")
    decision = _make(w, "Decision", kind="decision")
    slides = _make(w, "Slides", kind="presentation")
    other = _make(w, "Other", kind="other")
    assert [d.symbol for d in (wp, report, minutes, decision)] == [
        f"TC/ICT/CS/{YEAR}/{n}" for n in (1, 2, 3, 4)
    ]
    assert slides.symbol is None and other.symbol is None
    # A new version (or language) keeps the symbol; no number is taken.
    services.add_version(_actor(w), wp, services.Upload(io.BytesIO(b"v2"), "v2.txt"), language="ru")
    assert _fresh(wp.id).symbol == f"TC/ICT/CS/{YEAR}/1"
    assert db.session.get(SymbolCounter, f"TC/ICT/CS/{YEAR}/{{n}}").last == 4
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "document.create", AuditEvent.object_id == str(wp.id)
        )
    )
    assert event.details["symbol"] == f"TC/ICT/CS/{YEAR}/1"


def test_a_group_without_a_pattern_gives_no_symbols(world):
    assert _make(world, "Unnumbered").symbol is None
    assert db.session.scalar(select(func.count()).select_from(SymbolCounter)) == 0


def test_group_and_meeting_tokens(w):
    group = w["group"]
    group.symbol_pattern = "{group}/{meeting}/{n}"
    meeting = w["meeting"]  # "1st Meeting"
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    undated = Meeting(group=group, title="Undated", number="", timezone="UTC")
    undated_item = AgendaItem(meeting=undated, position=1, title="Any other business")
    db.session.add_all([undated, undated_item])
    db.session.commit()
    on_item = _make(w, "On the agenda", agenda_item=item.id)
    again = _make(w, "Also on it", agenda_item=item.id)
    loose = _make(w, "No agenda item")
    # No digits in its number: the meeting's place among the group's meetings.
    later = _make(w, "Undated meeting", agenda_item=undated_item.id)
    assert on_item.symbol == "WG/1/1"
    assert again.symbol == "WG/1/2"
    # Without a meeting, {meeting} and one separator are left out: a series of its own.
    assert loose.symbol == "WG/1"
    assert later.symbol == "WG/2/1"


def test_meeting_token_first_in_the_pattern(ctx):
    assert symbols._fill("{meeting}/TC/{n}", "G", "2026", None) == "TC/{n}"
    assert symbols._fill("TC-{meeting}-{n}", "G", "2026", None) == "TC-{n}"
    assert symbols._fill("TC{meeting}{n}", "G", "2026", None) == "TC{n}"


def test_the_year_is_the_uploads(w):
    [document] = [_make(w, "Now")]
    key = symbols.counter_key(w["group"], datetime(2031, 1, 1, tzinfo=UTC), None)
    assert key == "TC/ICT/CS/2031/{n}"
    assert document.symbol == f"TC/ICT/CS/{YEAR}/1"


def test_numbers_are_never_reused_after_delete_and_purge(w):
    first = _make(w, "First")
    second = _make(w, "Second")
    services.soft_delete(_actor(w, "coordinator"), second)
    services.soft_delete(_actor(w, "coordinator"), first)
    services.purge(_actor(w, "admin"), _fresh(first.id))
    third = _make(w, "Third")
    assert third.symbol == f"TC/ICT/CS/{YEAR}/3"
    assert _fresh(first.id).symbol == f"TC/ICT/CS/{YEAR}/1", "a purged document keeps it"
    assert _fresh(second.id).symbol == f"TC/ICT/CS/{YEAR}/2"


def test_two_groups_with_the_same_pattern_share_one_series(w):
    other = f.make_group("other", "Other")
    f.add(other, w["users"]["delegate"], "delegate")
    other.symbol_pattern = PATTERN
    db.session.commit()
    a = _make(w, "A")
    b = _make(w, "B", group=other)
    assert {a.symbol, b.symbol} == {f"TC/ICT/CS/{YEAR}/1", f"TC/ICT/CS/{YEAR}/2"}


def test_a_symbol_another_pattern_produced_is_skipped(w):
    """The column is unique across the council: a clash moves on to the next number."""
    w["group"].symbol_pattern = "TC/{n}"
    _make(w, "One")  # TC/1
    w["group"].symbol_pattern = "TC/1{n}"
    db.session.commit()
    assert _make(w, "Eleven").symbol == "TC/11"
    w["group"].symbol_pattern = "TC/{n}"
    db.session.commit()
    for _ in range(9):
        _make(w, "Filler")
    assert _make(w, "After the clash").symbol == "TC/12", "TC/11 was taken"


@pytest.mark.postgres
def test_parallel_uploads_never_get_the_same_number(w, live_url):
    """Real parallel requests on PostgreSQL: each upload succeeds with its own number."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from konsey.auth.api_tokens import create_token
    from tests.conftest import BACKEND

    if BACKEND != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite runs one writer at a time")
    _, secret = create_token(audit.SYSTEM, w["users"]["delegate"], "symbols")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Host": "konsey.test"}
    endpoint = f"{live_url}/api/v1/groups/{w['group'].slug}/documents"
    count = 8
    barrier = threading.Barrier(count)

    def send(n):
        barrier.wait()
        response = requests.post(
            endpoint,
            files={"file": (f"paper-{n}.txt", f"Paper {n}".encode())},
            data={"kind": "working_paper", "language": "en", "visibility": "group"},
            headers=headers,
            timeout=60,
        )
        return response.status_code, response.json().get("symbol")

    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(send, range(count)))
    assert [status for status, _ in answers] == [201] * count, answers
    given = sorted(int(symbol.rsplit("/", 1)[1]) for _, symbol in answers)
    assert given == list(range(1, count + 1))
    db.session.expire_all()
    assert db.session.get(SymbolCounter, f"TC/ICT/CS/{YEAR}/{{n}}").last == count


@pytest.mark.postgres
def test_concurrent_sessions_commit_distinct_numbers(w, app):
    """Several connections in threads, each numbering and committing at once."""
    import threading

    from tests.conftest import BACKEND

    if BACKEND != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's")
    group_id = w["group"].id
    user_id = w["users"]["delegate"].id
    db.session.commit()
    barrier = threading.Barrier(6)
    results, errors = [], []

    def work(n):
        with app.app_context():
            try:
                from konsey.models import User

                group = db.session.get(WorkingGroup, group_id)
                barrier.wait()
                [document] = services.create_documents(
                    audit.Actor(user=db.session.get(User, user_id)),
                    group,
                    [services.Upload(io.BytesIO(f"thread {n}".encode()), "t.txt")],
                    title=f"Thread {n}",
                    kind="report",
                    language="en",
                    visibility="group",
                )
                results.append(document.symbol)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(results) == sorted(f"TC/ICT/CS/{YEAR}/{n}" for n in range(1, 7))


# Lineage --------------------------------------------------------------------------
def test_revisions_addenda_and_corrigenda_are_numbered(w):
    paper = _make(w, "Strategy")
    base = paper.symbol
    rev1 = _related(w, paper, "revision")
    rev2 = _related(w, _fresh(rev1.id), "revision")  # from Rev.1's page
    add1 = _related(w, _fresh(paper.id), "addendum")
    add2 = _related(w, _fresh(paper.id), "addendum", title="Annex tables")
    corr = _related(w, _fresh(rev2.id), "corrigendum")
    assert rev1.symbol == f"{base}/Rev.1" and rev1.relation_number == 1
    assert rev2.symbol == f"{base}/Rev.2" and rev2.parent_id == paper.id
    assert [add1.symbol, add2.symbol] == [f"{base}/Add.1", f"{base}/Add.2"]
    assert corr.symbol == f"{base}/Rev.2/Corr.1" and corr.parent_id == rev2.id
    # The parent's kind, readers and title (unless another is given).
    assert (rev1.kind, rev1.visibility, rev1.title) == (paper.kind, paper.visibility, "Strategy")
    assert add2.title == "Annex tables"
    # A deleted revision's number is not given again.
    services.soft_delete(_actor(w, "coordinator"), _fresh(rev2.id))
    assert _related(w, _fresh(paper.id), "revision").symbol == f"{base}/Rev.3"


def test_a_document_without_a_symbol_has_no_lineage(w):
    slides = _make(w, "Slides", kind="presentation")
    before = counts()
    with pytest.raises(Conflict, match="has no symbol"):
        _related(w, slides, "revision")
    db.session.rollback()
    assert counts() == before


def test_library_shows_the_newest_revision_and_pages_link_the_lineage(client, w):
    paper = _make(w, "Strategy")
    rev1 = _related(w, paper, "revision", title="Strategy (revised)")
    rev2 = _related(w, _fresh(rev1.id), "revision", title="Strategy (second revision)")
    add1 = _related(w, _fresh(paper.id), "addendum", title="Strategy annex")
    login_as(client, w, "observer")
    login_as(client, w, "delegate")
    slug = w["group"].slug
    library = page_text(client.get(f"/groups/{slug}/documents"))
    assert f"{rev2.symbol} Strategy (second revision)" in library
    assert f"{add1.symbol} Strategy annex" in library
    assert "Strategy (revised)" not in library
    assert f"{paper.symbol} Strategy " not in library + " "
    everything = page_text(client.get(f"/groups/{slug}/documents?superseded=1"))
    assert "Strategy (revised)" in everything and f"{paper.symbol} Strategy" in everything

    original = client.get(f"/groups/{slug}/documents/{paper.id}")
    text = page_text(original)
    assert f"Symbol: {paper.symbol}" in text
    assert f"Superseded by {rev2.symbol} Strategy (second revision)" in text
    assert f"/groups/{slug}/documents/{rev2.id}" in original.get_data(as_text=True)
    assert f"Addendum: {add1.symbol} Strategy annex" in text
    assert "New revision" in text

    middle = page_text(client.get(f"/groups/{slug}/documents/{rev1.id}"))
    assert f"Superseded by {rev2.symbol}" in middle
    assert f"Revises {paper.symbol} Strategy" in middle
    newest = page_text(client.get(f"/groups/{slug}/documents/{rev2.id}"))
    assert "Superseded by" not in newest
    assert f"Revises {paper.symbol}" in newest
    annex = page_text(client.get(f"/groups/{slug}/documents/{add1.id}"))
    assert f"Addendum to {paper.symbol}" in annex


def test_a_deleted_revision_no_longer_supersedes(client, w):
    paper = _make(w, "Strategy")
    rev1 = _related(w, paper, "revision", title="Strategy (revised)")
    services.soft_delete(_actor(w, "coordinator"), rev1)
    login_as(client, w, "delegate")
    slug = w["group"].slug
    assert f"{paper.symbol} Strategy" in page_text(client.get(f"/groups/{slug}/documents"))
    page = page_text(client.get(f"/groups/{slug}/documents/{paper.id}"))
    assert "Superseded by" not in page


def test_revision_form_in_the_browser(client, w):
    paper = _make(w, "Strategy")
    login_as(client, w, "delegate")
    slug = w["group"].slug
    url = f"/groups/{slug}/documents/{paper.id}/related/new"
    form = client.get(url + "?relation=corrigendum")
    assert form.status_code == 200
    assert re.search(r'<option selected value="corrigendum">', form.get_data(as_text=True))
    response = client.post(
        url,
        {
            "relation": "revision",
            "title": "",
            "description": "Comments of 3 delegations taken in.",
            "language": "ru",
            "file": (io.BytesIO("Стратегия, ред. 1".encode()), "rev1.txt"),
        },
        content_type=MULTIPART,
    )
    assert response.status_code == 302
    rev = db.session.scalar(select(Document).where(Document.relation.is_not(None)))
    assert response.headers["Location"].endswith(f"/documents/{rev.id}")
    assert rev.symbol == f"{paper.symbol}/Rev.1" and rev.title == "Strategy"
    assert rev.latest().language == "ru"
    page = page_text(client.get(response.headers["Location"]))
    assert f"{rev.symbol} is uploaded." in page


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"relation": "translation"}, 422, "Choose a revision, an addendum or a corrigendum."),
        ({"file": None}, 422, "Choose a file to upload."),
        ({"language": "xx"}, 422, "Choose a language from the list."),
        ({"title": "Bad\x07title"}, 422, ""),
    ],
)
def test_bad_input_to_the_revision_form_changes_nothing(client, w, fields, status, message):
    paper = _make(w, "Strategy")
    login_as(client, w, "delegate")
    data = {
        "relation": "revision",
        "language": "en",
        "title": "",
        "file": (io.BytesIO(b"rev"), "rev.txt"),
        **fields,
    }
    if data["file"] is None:
        del data["file"]
    before = counts()
    counter = db.session.get(SymbolCounter, f"TC/ICT/CS/{YEAR}/{{n}}").last
    response = client.post(
        f"/groups/{w['group'].slug}/documents/{paper.id}/related/new",
        data,
        content_type=MULTIPART,
    )
    assert response.status_code == status
    assert message in page_text(response)
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(SymbolCounter, f"TC/ICT/CS/{YEAR}/{{n}}").last == counter
    assert db.session.get(SymbolCounter, f"{paper.symbol}/Rev.{{n}}") is None


def test_the_revision_form_of_a_document_without_symbol_says_why(client, w):
    slides = _make(w, "Slides", kind="presentation")
    login_as(client, w, "delegate")
    url = f"/groups/{w['group'].slug}/documents/{slides.id}/related/new"
    response = client.get(url)
    assert response.status_code == 409
    assert "This document has no symbol" in page_text(response)
    before = counts()
    response = client.post(
        url,
        {"relation": "addendum", "language": "en", "file": (io.BytesIO(b"x"), "x.txt")},
        content_type=MULTIPART,
    )
    assert response.status_code == 409
    assert counts() == before
    page = page_text(client.get(f"/groups/{w['group'].slug}/documents/{slides.id}"))
    assert "New revision" not in page


def test_observers_may_not_create_revisions(client, w):
    paper = _make(w, "Strategy", visibility="observers")
    login_as(client, w, "observer")
    url = f"/groups/{w['group'].slug}/documents/{paper.id}"
    assert "New revision" not in page_text(client.get(url))
    assert client.get(url + "/related/new").status_code == 403


# The symbol where documents appear ---------------------------------------------------
def test_symbol_in_search_meeting_page_and_upload_flash(client, w):
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == w["meeting"].id))
    login_as(client, w, "delegate")
    response = upload_form(
        client,
        w["group"].slug,
        [("cert.txt", b"CERT cooperation")],
        title="CERT cooperation",
        agenda_item=str(item.id),
    )
    assert response.status_code == 302
    symbol = f"TC/ICT/CS/{YEAR}/1"
    found = page_text(client.get("/search", query_string={"q": symbol}))
    assert f"CERT cooperation {symbol} · " in found
    meeting = page_text(client.get(f"/meetings/{w['meeting'].id}"))
    assert f"{symbol} CERT cooperation" in meeting


def test_api_fields_and_creating_a_revision(client, w):
    paper = _make(w, "Strategy")
    login_as(client, w, "delegate")
    body = client.get(f"/api/v1/documents/{paper.id}").get_json()
    assert body["symbol"] == paper.symbol
    assert body["parent"] is None and body["relation"] is None

    response = client.post(
        f"/api/v1/documents/{paper.id}/related",
        {"relation": "addendum", "language": "en", "file": (io.BytesIO(b"annex"), "annex.txt")},
        content_type=MULTIPART,
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["symbol"] == f"{paper.symbol}/Add.1"
    assert created["parent"] == {"id": paper.id, "symbol": paper.symbol}
    assert (created["relation"], created["relation_number"]) == ("addendum", 1)

    before = counts()
    response = client.post(
        f"/api/v1/documents/{paper.id}/related",
        {"relation": "sequel", "language": "en", "file": (io.BytesIO(b"x"), "x.txt")},
        content_type=MULTIPART,
    )
    assert response.status_code == 422
    assert counts() == before

    slides = _make(w, "Slides", kind="presentation")
    response = client.post(
        f"/api/v1/documents/{slides.id}/related",
        {"relation": "revision", "language": "en", "file": (io.BytesIO(b"x"), "x.txt")},
        content_type=MULTIPART,
    )
    assert response.status_code == 409
    assert "has no symbol" in response.get_json()["error"]["message"]

    listing = client.get(f"/api/v1/groups/{w['group'].slug}/documents").get_json()
    assert {d["symbol"] for d in listing} == {paper.symbol, f"{paper.symbol}/Add.1", None}


def test_openapi_documents_the_symbol_fields(client):
    spec = client.http.get("/api/v1/openapi.json").get_json()
    schema = spec["components"]["schemas"]["Document"]["properties"]
    assert {"symbol", "parent", "relation", "relation_number"} <= set(schema)
    assert "/api/v1/documents/{document_id}/related" in spec["paths"]


def test_digest_lines_name_the_symbol(w, app):
    from flask_babel import force_locale

    from konsey.notifications import happened

    paper = _make(w, "Strategy")
    news = happened.load(
        {w["group"].id},
        datetime.now(UTC) - timedelta(hours=1),
        datetime.now(UTC) + timedelta(hours=1),
        0,
    )
    events = [e for e in news.events if e.action == "document.create"]
    with app.test_request_context(), force_locale("en"):
        text = happened.line(news, events[-1:], w["users"]["head"]).headline
    assert text == f"New document: {paper.symbol} — Strategy"


def test_the_library_stays_two_queries_with_revisions(client, w, count_queries):
    paper = _make(w, "Strategy")
    url = f"/groups/{w['group'].slug}/documents"
    for _ in range(3):
        _related(w, _fresh(paper.id), "addendum")
    _related(w, _fresh(paper.id), "revision")
    login_as(client, w, "delegate")
    client.get(url)  # warm
    with count_queries() as first:
        assert client.get(url).status_code == 200
    _related(w, _fresh(paper.id), "addendum")
    with count_queries() as second:
        client.get(url)
    assert len(second) == len(first), "one more addendum, no more queries"


def test_meeting_without_number_orders_undated_last(w):
    group = w["group"]
    a = Meeting(group=group, title="A", number="", timezone="UTC", starts_at=datetime.now(UTC))
    b = Meeting(group=group, title="B", number="", timezone="UTC")
    c = Meeting(
        group=group,
        title="C",
        number="",
        timezone="UTC",
        starts_at=datetime.now(UTC) - timedelta(days=400),
    )
    db.session.add_all([a, b, c])
    db.session.flush()
    # w["meeting"] is a month ahead: C (a year ago), A (now), matrix meeting, B (undated).
    assert [symbols.meeting_number(m) for m in (c, a, b)] == ["1", "2", "4"]


# Demo -----------------------------------------------------------------------------
def test_demo_carries_symbols_and_a_revision_and_is_idempotent(demo, client):
    from konsey.demo import load_demo

    groups = {g.slug: g for g in db.session.scalars(select(WorkingGroup))}
    assert groups["cyber-security"].symbol_pattern == "TC/ICT/CS/{year}/{n}"
    assert groups["tasim-fibre"].symbol_pattern == "TC/ICT/TASIM/{year}/{n}"
    official = db.session.scalars(
        select(Document).where(Document.kind.in_(["working_paper", "report", "minutes"]))
    ).all()
    assert official and all(d.symbol for d in official), [d.title for d in official]
    paper = db.session.scalar(
        select(Document).where(
            Document.title == "Cyber Security: working paper", Document.parent_id.is_(None)
        )
    )
    [rev] = db.session.scalars(select(Document).where(Document.parent_id == paper.id)).all()
    assert rev.symbol == f"{paper.symbol}/Rev.1"
    assert paper.symbol.startswith(f"TC/ICT/CS/{YEAR}/")
    # The counters continue after the demo's numbers.
    key = f"TC/ICT/CS/{YEAR}/{{n}}"
    numbers = [
        int(d.symbol.rsplit("/", 1)[1])
        for d in official
        if d.symbol.startswith(f"TC/ICT/CS/{YEAR}/") and d.relation is None
    ]
    assert db.session.get(SymbolCounter, key).last == max(numbers)

    before = {d.id: d.symbol for d in db.session.scalars(select(Document))}
    assert not load_demo().get("symbols") and not load_demo().get("revisions")
    db.session.expire_all()
    assert {d.id: d.symbol for d in db.session.scalars(select(Document))} == before


def test_a_revision_the_reader_may_not_open_does_not_hide_the_original(client, w):
    """Lists ask the reader's own audience of the revision: an observer who may
    read the original, but not a revision kept to the group, still finds it."""
    from konsey.models import Visibility

    paper = _make(w, "Shared strategy", visibility="observers")
    rev = _related(w, paper, "revision", title="Shared strategy (revised)")
    rev.visibility = Visibility.GROUP
    db.session.commit()
    slug = w["group"].slug
    login_as(client, w, "observer")
    library = page_text(client.get(f"/groups/{slug}/documents"))
    assert f"{paper.symbol} Shared strategy" in library
    assert "(revised)" not in library
    assert "Superseded by" not in page_text(client.get(f"/groups/{slug}/documents/{paper.id}"))
    login_as(client, w, "delegate")
    library = page_text(client.get(f"/groups/{slug}/documents"))
    assert f"{rev.symbol} Shared strategy (revised)" in library
    assert f"{paper.symbol} Shared strategy " not in library
