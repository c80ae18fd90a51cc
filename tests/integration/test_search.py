"""One search box: ranked, highlighted, limited to what the user may read,
and unshaken by hostile queries — on whichever database runs the tests."""

from __future__ import annotations

import io
import re

import pytest

from konsey import audit
from konsey.documents import samples, services
from konsey.search import query as search
from tests import factories as f
from tests.conftest import BACKEND
from tests.integration.conftest import login_as
from tests.integration.documents_support import run_extraction


def _make(world, title, content: bytes, filename="paper.txt", visibility="group", **kw):
    [document] = services.create_documents(
        audit.Actor(user=world["users"][kw.pop("who", "delegate")]),
        kw.pop("group", world["group"]),
        [services.Upload(io.BytesIO(content), filename)],
        title=title,
        description=kw.pop("description", ""),
        kind="report",
        language="en",
        visibility=visibility,
    )
    return document


def _hits(client, query) -> list[str]:
    run_extraction()  # the worker's part: uploaded files' text joins the index
    page = client.get("/search", query_string={"q": query, "kind": "document"})
    assert page.status_code == 200
    return re.findall(r'<h2><a href="[^"]+">(.+?)</a></h2>', page.get_data(as_text=True))


def _plain(html: str) -> str:
    return re.sub(r"</?mark>", "", html)


@pytest.fixture
def library(world):
    made = {
        "pdf": _make(
            world,
            "Backbone study",
            samples.make_pdf(["The satellite ground segment needs redundancy."]),
            "study.pdf",
        ),
        "docx": _make(
            world,
            "Strategy",
            samples.make_docx(["Киберқауіпсіздік стратегиясы", "incident response teams"]),
            "strategy.docx",
        ),
        "odt": _make(
            world,
            "Portal note",
            samples.make_odt(["E-government portal interoperability"]),
            "note.odt",
        ),
        "title": _make(world, "Satellite services roadmap", b"nothing else here", "road.txt"),
        "description": _make(
            world, "Annex", b"x", "annex.txt", description="Budget of the fibre corridor"
        ),
        "filename": _make(world, "Untitled", b"y", "tasim-capacity-table.csv"),
    }
    run_extraction()  # the worker's part
    return made


def test_backend_is_reported(app):
    print(f"search ran on {BACKEND}")  # the suite header names it too


def test_text_of_pdf_docx_and_odt_is_found(client, world, library):
    login_as(client, world, "delegate")
    assert _hits(client, "redundancy") == ["Backbone study"]
    assert _hits(client, "incident response") == ["Strategy"]
    assert _hits(client, "interoperability") == ["Portal note"]


def test_title_description_and_file_name_are_found(client, world, library):
    login_as(client, world, "delegate")
    assert _hits(client, "corridor") == ["Annex"]
    assert [_plain(h) for h in _hits(client, "tasim")] == ["Untitled"]
    assert _hits(client, "roadmap") == ["Satellite services <mark>roadmap</mark>"]


def test_results_are_ranked_title_first_and_highlighted(client, world, library):
    login_as(client, world, "delegate")
    page = client.get("/search?kind=document&q=satellite").get_data(as_text=True)
    titles = [_plain(t) for t in re.findall(r'<h2><a href="[^"]+">(.+?)</a></h2>', page)]
    # In the title beats in the body.
    assert titles == ["Satellite services roadmap", "Backbone study"]
    assert "<mark>Satellite</mark> services roadmap" in page
    assert re.search(r"The <mark>satellite</mark> ground segment", page)


def test_prefixes_and_other_scripts_match(client, world, library):
    login_as(client, world, "delegate")
    assert _hits(client, "interop") == ["Portal note"]
    assert _hits(client, "КИБЕРҚАУІПСІЗДІК") == ["Strategy"]


def test_markup_in_documents_is_escaped_in_results(client, world):
    _make(world, "Escaping <b>test</b>", b"alpha <img src=x onerror=alert(1)> omega")
    login_as(client, world, "delegate")
    run_extraction()
    page = client.get("/search?kind=document&q=omega").get_data(as_text=True)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;test&lt;/b&gt;" in page


# Visibility -----------------------------------------------------------------------
@pytest.fixture
def audiences(world):
    other = f.make_group("other")
    kz = world["states"]["KZ"]
    elsewhere = f.make_user("elsewhere@kz.example.org", state=kz)
    f.add(other, elsewhere, "delegate")
    world["users"]["elsewhere"] = elsewhere
    world["sessions"]["elsewhere"] = elsewhere.get_id()
    for visibility in ("group", "council", "observers"):
        _make(world, f"Zebra {visibility}", b"zebra crossing", visibility=visibility)
    gone = _make(world, "Zebra deleted", b"zebra crossing")
    services.soft_delete(audit.Actor(user=world["users"]["coordinator"]), gone)
    _make(world, "Zebra other group", b"zebra", group=other, who="admin")


EXPECTED = {
    "outsider": set(),
    "observer": {"Zebra observers"},
    "elsewhere": {"Zebra council", "Zebra observers", "Zebra other group"},
    "delegate": {"Zebra group", "Zebra council", "Zebra observers"},
    "coordinator": {"Zebra group", "Zebra council", "Zebra observers"},
    "admin": {"Zebra group", "Zebra council", "Zebra observers", "Zebra other group"},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_search_never_returns_a_document_the_user_cannot_open(client, world, audiences, who):
    login_as(client, world, who)
    page = client.get("/search?kind=document&q=zebra").get_data(as_text=True)
    links = re.findall(r'<h2><a href="([^"]+)">(.+?)</a></h2>', page)
    assert {_plain(title) for _, title in links} == EXPECTED[who]
    for url, _title in links:
        assert client.get(url).status_code == 200, (who, url)
    api = client.http.get("/api/v1/search?q=zebra").get_json()
    assert {_plain(r["title_html"]) for r in api["results"]} == EXPECTED[who]
    assert api["total"] == len(EXPECTED[who])


# Hostile queries ------------------------------------------------------------------
HOSTILE = [
    "x" * 10_000,
    "satellite " * 1_000,
    '"unclosed phrase',
    "*",
    "sat*",
    "NEAR(satellite services, 2)",
    "satellite AND OR NOT services",
    "((satellite",
    "^satellite",
    "title:satellite",
    "-satellite",
    "satellite -- ' OR 1=1; DROP TABLE document; --",
    "%_%",
    "\\",
    "&|!:*<->",
    "🛰️ satellite",
    "' \" ` ; ) ( } {",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_are_plain_words(client, world, library, query):
    login_as(client, world, "delegate")
    response = client.get("/search", query_string={"q": query, "kind": "document"})
    assert response.status_code == 200
    api = client.http.get("/api/v1/search", query_string={"q": query})
    assert api.status_code == 200, api.get_data(as_text=True)
    words = search.terms_of(query)
    titles = {_plain(r["title_html"]) for r in api.get_json()["results"]}
    if words == ["satellite"] or words == ["satellite", "services"]:
        assert "Satellite services roadmap" in titles
    if words[:1] == ["sat"]:
        assert titles == {"Satellite services roadmap", "Backbone study"}


def test_terms_of_turns_any_syntax_into_words():
    assert search.terms_of('NEAR("a b"*) AND c:d ^e -f') == [
        "near",
        "a",
        "b",
        "and",
        "c",
        "d",
        "e",
        "f",
    ]
    assert search.terms_of("x" * 10_000) == ["x" * search.MAX_TERM_CHARS]
    assert len(search.terms_of(" ".join(f"w{i}" for i in range(100)))) == search.MAX_TERMS
    assert search.terms_of("*** ((( ---") == []


def test_an_empty_query_asks_for_words(client, world):
    login_as(client, world, "delegate")
    page = client.get("/search?kind=document&q=%22%28%29*").get_data(as_text=True)
    assert "Type one or more words" in page
