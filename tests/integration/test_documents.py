"""Group libraries in the browser: upload, versions, languages, visibility,
filters, deletion and purge, and every way an upload can be refused."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from konsey import audit
from konsey.documents import samples, services
from konsey.extensions import db
from konsey.models import Document, DocumentVersion
from tests import factories as f
from tests.integration.conftest import login_as
from tests.integration.documents_support import (
    audit_events,
    counts,
    sha,
    stored,
    stored_path,
    upload_form,
    version_form,
)

PDF = samples.make_pdf(["Fibre-optic backbone: working paper", "Trans-Eurasian corridor"])
DOCX = samples.make_docx(["Kiber güvenlik stratejisi", "Қазақстан"])


def _document(title: str) -> Document:
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.title == title))


def _make(world, title, visibility="group", group=None, who="delegate", content=None, **kw):
    [document] = services.create_documents(
        audit.Actor(user=world["users"][who]),
        group or world["group"],
        [services.Upload(_stream(content or title.encode()), kw.pop("filename", "paper.txt"))],
        title=title,
        kind=kw.pop("kind", "report"),
        language=kw.pop("language", "en"),
        visibility=visibility,
        **kw,
    )
    return document


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


# Upload ---------------------------------------------------------------------------
def test_delegate_uploads_a_pdf_and_sees_it_with_its_facts(client, world, files_dir):
    login_as(client, world, "delegate")
    response = upload_form(
        client, "wg", [("backbone.pdf", PDF)], title="Backbone paper", description="For SWG-2"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Backbone paper</h1>" in page
    assert "For SWG-2" in page
    assert sha(PDF) in page
    assert "application/pdf" in page
    assert "backbone.pdf" in page
    assert world["users"]["delegate"].name in page
    assert f"{len(PDF)} bytes" in page

    library = client.get("/groups/wg/documents").get_data(as_text=True)
    assert "Backbone paper" in library and "Matrix paper" in library
    assert stored_path(files_dir, sha(PDF)).read_bytes() == PDF

    [event] = [e for e in audit_events("document.create") if e.object_label == "Backbone paper"]
    assert event.details["group_id"] == world["group"].id
    assert event.details["sha256"] == sha(PDF)
    assert event.actor_id == world["users"]["delegate"].id


def test_several_files_at_once_become_several_documents(client, world):
    login_as(client, world, "head")
    response = upload_form(
        client, "wg", [("backbone.pdf", PDF), ("strategy.docx", DOCX)], title="SWG-2 papers"
    )
    assert response.status_code == 302
    assert _document("SWG-2 papers — backbone").versions[0].media_type == "application/pdf"
    docx = _document("SWG-2 papers — strategy").versions[0]
    assert docx.media_type.endswith("wordprocessingml.document")


def test_without_a_title_a_document_is_named_after_its_file(client, world):
    login_as(client, world, "expert")
    assert upload_form(client, "wg", [("Cyber_strategy.pdf", PDF)]).status_code == 302
    assert _document("Cyber strategy") is not None


def test_new_versions_and_language_versions_keep_every_file(client, world, files_dir):
    login_as(client, world, "delegate")
    doc = world["document"]
    russian = "Рабочий документ: волоконно-оптическая магистраль.\n".encode()
    revised = b"Matrix working paper, revised.\n"
    assert version_form(client, "wg", doc.id, "paper-ru.txt", russian, "ru").status_code == 302
    assert version_form(client, "wg", doc.id, "paper-v2.txt", revised, "en").status_code == 302

    page = client.get(f"/groups/wg/documents/{doc.id}").get_data(as_text=True)
    # One download per language, the newest of each: EN is version 3, RU version 2.
    assert re.search(r'versions/3/file" lang="en">EN<', page)
    assert re.search(r'versions/2/file" lang="ru">RU<', page)
    for number, content in [(1, b"Matrix working paper"), (2, russian), (3, revised)]:
        body = client.get(f"/groups/wg/documents/{doc.id}/versions/{number}/file").data
        assert body.startswith(content[:20])
    assert len(stored(files_dir)) == 3
    events = audit_events("document.version")
    assert [(e.details["version"], e.details["language"]) for e in events] == [(2, "ru"), (3, "en")]
    assert all(e.details["group_id"] == world["group"].id for e in events)


def test_upload_above_the_ordinary_request_limit_is_accepted(client, world, app):
    """Ordinary requests stop at 1 MB; the upload route has its own limit."""
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024
    login_as(client, world, "delegate")
    big = b"minutes of the meeting\n" * 150_000  # 3.4 MB of text
    response = upload_form(client, "wg", [("big.txt", big)], title="Big")
    assert response.status_code == 302
    assert _document("Big").versions[0].size == len(big)


def test_a_file_over_the_limit_gets_413_with_the_limit_and_nothing_is_kept(
    client, world, app, files_dir
):
    app.config["MAX_UPLOAD_BYTES"] = 10_000
    login_as(client, world, "delegate")
    before, files_before = counts(), stored(files_dir)
    # Over the request limit: refused while the body is read.
    response = upload_form(client, "wg", [("huge.txt", b"x" * 2_000_000)], title="Huge")
    assert response.status_code == 413
    assert "too large: the limit is 9.8 kB" in response.get_data(as_text=True)
    # Under the request limit (multipart overhead) but over the file limit.
    response = upload_form(client, "wg", [("big.txt", b"x" * 20_000)], title="Big")
    assert response.status_code == 413
    assert "the limit is 9.8 kB" in response.get_data(as_text=True)
    assert counts() == before and stored(files_dir) == files_before


BAD_UPLOADS = [
    ("empty.pdf", b"", "is empty"),
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>", "HTML, SVG"),
    ("page.txt", b"  <html><body>hi</body></html>", "HTML, SVG"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "HTML, SVG"),
    ("data.xml", b'<?xml version="1.0"?><a/>', "HTML, SVG"),
    ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "not accepted"),
    ("paper.docx", PDF, "content is PDF"),
    ("report.pdf", b"just some text", "content is text"),
    ("archive.zip", samples.make_docx(["x"])[:0] + b"PK\x03\x04" + b"\x00" * 40, "not accepted"),
    ("legacy.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Office"),
    ("dir/paper.pdf", PDF, "must not contain /"),
    ("bad\x07name.pdf", PDF, "control characters"),
    ("x" * 296 + ".pdf", PDF, "too long"),
    ("\u202eexe.pdf", PDF, "control characters"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS)
def test_refused_files_get_a_clear_message_and_change_nothing(
    client, world, files_dir, name, content, message
):
    login_as(client, world, "delegate")
    before, files_before = counts(), stored(files_dir)
    response = upload_form(client, "wg", [("ok.pdf", PDF), (name, content)], title="Refused")
    assert response.status_code == 422, (name, response.status_code)
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'").replace("&amp;", "&"), page[-3000:]
    assert 'aria-invalid="true"' in page  # the message sits at the file field
    assert counts() == before
    assert stored(files_dir) == files_before  # not even the good file, nor a staged copy


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "memo"}, "kind", "Not a valid choice"),
        ({"visibility": "public"}, "visibility", "Not a valid choice"),
        ({"language": "xx"}, "language", "Not a valid choice"),
        ({"agenda_item": "999999"}, "agenda_item", "agenda item of this group"),
        ({"agenda_item": "abc"}, "agenda_item", "agenda item of this group"),
        ({"title": "x" * 301}, "title", "300"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(
    client, world, files_dir, fields, field, message
):
    login_as(client, world, "delegate")
    before, files_before = counts(), stored(files_dir)
    response = upload_form(client, "wg", [("ok.pdf", PDF)], **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', page), page[-2000:]
    assert counts() == before and stored(files_dir) == files_before


def test_agenda_item_of_another_groups_meeting_is_refused(client, world, ctx):
    from konsey.models import AgendaItem, Meeting

    other = f.make_group("other")
    meeting = Meeting(group=other, title="Other meeting", timezone="UTC")
    item = AgendaItem(meeting=meeting, position=1, title="Elsewhere")
    db.session.add_all([meeting, item])
    db.session.commit()
    login_as(client, world, "delegate")
    response = upload_form(client, "wg", [("ok.pdf", PDF)], agenda_item=str(item.id))
    assert response.status_code == 422
    assert "agenda item of this group" in response.get_data(as_text=True)


def test_observer_can_read_the_library_but_never_upload(client, world):
    login_as(client, world, "observer")
    assert client.get("/groups/wg/documents").status_code == 200
    assert client.get("/groups/wg/documents/upload").status_code == 403
    assert upload_form(client, "wg", [("ok.pdf", PDF)]).status_code == 403
    doc = world["document"]
    assert version_form(client, "wg", doc.id, "x.txt", b"x").status_code == 403


# Visibility -----------------------------------------------------------------------
@pytest.fixture
def council(world):
    """A second group: a delegate (council member) and an observer-only person."""
    other = f.make_group("other")
    kz, hu = world["states"]["KZ"], world["states"]["HU"]
    world["users"]["elsewhere"] = f.make_user("elsewhere@kz.example.org", state=kz)
    world["users"]["observer2"] = f.make_user("observer2@hu.example.org", state=hu)
    f.add(other, world["users"]["elsewhere"], "delegate")
    f.add(other, world["users"]["observer2"], "observer")
    docs = {v: _make(world, f"Paper for {v}", visibility=v) for v in ("group", "council")}
    docs["observers"] = _make(world, "Paper for observers", visibility="observers")
    for name in ("elsewhere", "observer2"):
        world["sessions"][name] = world["users"][name].get_id()
    return docs


# who → the visibilities they may read (of a document of group "wg")
CAN_READ = {
    "outsider": set(),
    "observer2": set(),  # an observer elsewhere is not a delegate of the council
    "observer": {"observers"},
    "elsewhere": {"council", "observers"},
    "expert": {"group", "council", "observers"},
    "delegate": {"group", "council", "observers"},
    "head": {"group", "council", "observers"},
    "coordinator": {"group", "council", "observers"},
    "admin": {"group", "council", "observers"},
}


@pytest.mark.parametrize("who", list(CAN_READ))
def test_visibility_levels_decide_who_reads_a_document(client, world, council, who):
    login_as(client, world, who)
    for visibility, doc in council.items():
        page = client.get(f"/groups/wg/documents/{doc.id}")
        file = client.get(f"/groups/wg/documents/{doc.id}/versions/1/file")
        expected = 200 if visibility in CAN_READ[who] else 403
        assert (page.status_code, file.status_code) == (expected, expected), (who, visibility)
    library = client.get("/groups/wg/documents")
    if library.status_code == 200:  # members of the group
        text = library.get_data(as_text=True)
        shown = {v for v in council if f"Paper for {v}<" in text}
        assert shown == CAN_READ[who]


def test_the_policy_condition_and_the_page_check_agree(world, council):
    """DocumentAudience answers lists and single documents with one rule."""
    from konsey import policy

    docs = list(council.values())
    for who, user in world["users"].items():
        audience = policy.DocumentAudience.of(user)
        listed = set(
            db.session.scalars(
                select(Document.id).where(
                    Document.id.in_([d.id for d in docs]), audience.condition()
                )
            )
        )
        one_by_one = {d.id for d in docs if policy.can(user, policy.Action.DOCUMENT_VIEW, d)}
        assert listed == one_by_one, who


# Library page ---------------------------------------------------------------------
def test_library_filters_and_sorts(client, world, ctx):
    item = world.get("meeting") and world["meeting"].agenda[0]
    tr = f.make_state("TR", tz="Europe/Istanbul")
    turk = f.make_user("delegate@tr.example.org", state=tr)
    f.add(world["group"], turk, "delegate")
    world["users"]["turk"] = turk
    _make(world, "Alpha report", kind="report", language="ru", agenda_item=item.id)
    _make(world, "Beta presentation", kind="presentation", who="turk")
    login_as(client, world, "head")

    def titles(**args):
        page = client.get("/groups/wg/documents", query_string=args).get_data(as_text=True)
        return re.findall(r'/documents/\d+">([^<]+)</a>', page)

    assert titles(kind="presentation") == ["Beta presentation"]
    assert titles(language="ru") == ["Alpha report"]
    assert titles(agenda_item=item.id) == ["Alpha report"]
    assert titles(meeting=world["meeting"].id) == ["Alpha report"]
    assert titles(state="TR") == ["Beta presentation"]
    assert titles(sort="title") == ["Alpha report", "Beta presentation", "Matrix paper"]
    assert titles() == ["Beta presentation", "Alpha report", "Matrix paper"]
    assert titles(kind="nonsense", sort="nonsense", meeting="-1") == titles()


def _fill_library(world, n: int, **kw) -> None:
    """Documents "Paper 001"… until the library of ``wg`` holds ``n``."""
    have = len(db.session.scalars(select(Document.id)).all())
    for start in range(have, n, services.MAX_FILES_PER_UPLOAD):
        end = min(n, start + services.MAX_FILES_PER_UPLOAD)
        services.create_documents(
            audit.Actor(user=world["users"]["delegate"]),
            world["group"],
            [services.Upload(_stream(b"p%d" % i), f"Paper {i:03}.txt") for i in range(start, end)],
            title="",
            kind=kw.get("kind", "report"),
            language="en",
            visibility="group",
        )


def test_library_page_runs_a_fixed_number_of_queries(client, world, count_queries):
    def queries_for(n):
        _fill_library(world, n)
        for doc in db.session.scalars(select(Document).order_by(Document.id.desc()).limit(3)):
            services.add_version(
                audit.Actor(user=world["users"]["head"]),
                doc,
                services.Upload(_stream(b"russian text"), "ru.txt"),
                language="ru",
            )
        with count_queries() as statements:
            response = client.get("/groups/wg/documents?page=2")
        assert response.status_code == 200
        return len(statements)

    login_as(client, world, "delegate")
    assert queries_for(10) == queries_for(120)


def _titles(page: str) -> list[str]:
    return re.findall(r'/documents/\d+">([^<]+)</a>', page)


def _pager_links(page: str) -> dict[str, str]:
    [pager] = re.findall(r'<nav class="pager".*?</nav>', page, re.S)
    return {
        rel: html.unescape(href) for href, rel in re.findall(r'href="([^"]+)" rel="(\w+)"', pager)
    }


def test_library_pages_keep_the_filters(client, world):
    _fill_library(world, 61)  # the "Matrix paper" working paper, and reports Paper 001…060
    login_as(client, world, "delegate")
    first = client.get("/groups/wg/documents?kind=report&sort=title").get_data(as_text=True)
    assert "60 documents" in first and "Page 1 of 2" in first
    assert _titles(first)[:2] == ["Paper 001", "Paper 002"]
    assert len(_titles(first)) == 50
    links = _pager_links(first)
    assert set(links) == {"next"}
    assert parse_qs(urlsplit(links["next"]).query) == {
        "kind": ["report"],
        "sort": ["title"],
        "page": ["2"],
    }

    second = client.get(links["next"]).get_data(as_text=True)
    assert "Page 2 of 2" in second
    assert _titles(second) == [f"Paper {i:03}" for i in range(51, 61)]
    assert set(_pager_links(second)) == {"prev"}
    assert "page=1" in _pager_links(second)["prev"]

    # A short library has no pager at all.
    only = client.get("/groups/wg/documents?kind=presentation").get_data(as_text=True)
    assert 'class="pager"' not in only and "0 documents" in only


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "99999999999999999999"])
def test_odd_page_numbers_show_the_first_page(client, world, page):
    _fill_library(world, 55)
    login_as(client, world, "delegate")
    response = client.get(f"/groups/wg/documents?sort=title&page={page}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Page 1 of 2" in body and _titles(body)[0] == "Matrix paper"


def test_a_page_past_the_end_shows_the_last_page(client, world):
    _fill_library(world, 55)
    login_as(client, world, "delegate")
    body = client.get("/groups/wg/documents?sort=title&page=999").get_data(as_text=True)
    assert "Page 2 of 2" in body
    assert _titles(body) == [f"Paper {i:03}" for i in range(50, 55)]


def test_library_agenda_filter_lists_only_nearby_meetings(client, world, ctx):
    """Every meeting is offered, but agenda items only of the chosen meeting or
    of the meetings around today: a group's whole history would be hundreds."""
    from datetime import timedelta

    from konsey.models import AgendaItem, Meeting
    from konsey.models.base import utcnow

    now = utcnow()
    meetings = {}
    for name, days in [("Old", -400), ("Last", -30), ("Before last", -60), ("Next", 20)]:
        meeting = Meeting(
            group=world["group"], title=f"{name} meeting", starts_at=now + timedelta(days=days)
        )
        meeting.agenda.append(AgendaItem(position=1, title=f"{name} item"))
        db.session.add(meeting)
        meetings[name] = meeting
    db.session.commit()
    old_item = meetings["Old"].agenda[0].id
    login_as(client, world, "delegate")

    def options(**args):
        page = client.get("/groups/wg/documents", query_string=args).get_data(as_text=True)
        [meeting_select] = re.findall(r'<select id="f-meeting".*?</select>', page, re.S)
        [item_select] = re.findall(r'<select id="f-item".*?</select>', page, re.S)
        return re.findall(r">([^<]+ meeting)", meeting_select), re.findall(
            r"\. ([^<]+ item)</option>", item_select
        )

    offered_meetings, items = options()
    assert {"Old meeting", "Last meeting", "Before last meeting", "Next meeting"} <= set(
        offered_meetings
    )
    assert sorted(items) == ["Before last item", "Last item", "Next item"]
    assert options(meeting=meetings["Old"].id)[1] == ["Old item"]
    # An item chosen by its address stays shown (and selected).
    assert "Old item" in options(agenda_item=old_item)[1]


def test_a_document_of_another_group_or_a_missing_version_is_not_found(client, world):
    other = f.make_group("other")
    f.add(other, world["users"]["delegate"], "delegate")
    login_as(client, world, "delegate")
    doc = world["document"]
    assert client.get(f"/groups/other/documents/{doc.id}").status_code == 404
    assert client.get(f"/groups/other/documents/{doc.id}/versions/1/file").status_code == 404
    response = client.get(f"/groups/wg/documents/{doc.id}/versions/7/file")
    assert response.status_code == 404
    assert "no version 7" in response.get_data(as_text=True)
    assert client.get("/groups/wg/documents/99999999").status_code == 404


# Delete and purge -----------------------------------------------------------------
def test_coordinator_deletes_and_admin_purges(client, world, files_dir, make_client):
    doc = world["document"]
    digest = doc.versions[0].sha256
    delegate = make_client()
    login_as(delegate, world, "delegate")
    assert delegate.post(f"/groups/wg/documents/{doc.id}/delete").status_code == 403

    login_as(client, world, "coordinator")
    response = client.post(f"/groups/wg/documents/{doc.id}/delete")
    assert response.status_code == 302
    [event] = audit_events("document.delete")
    assert event.details["group_id"] == world["group"].id
    # Gone for readers: library, page, file, search.
    assert "Matrix paper" not in delegate.get("/groups/wg/documents").get_data(as_text=True)
    assert delegate.get(f"/groups/wg/documents/{doc.id}").status_code == 404
    assert delegate.get(f"/groups/wg/documents/{doc.id}/versions/1/file").status_code == 404
    found = delegate.get("/search?kind=document&q=matrix").get_data(as_text=True)
    assert "Matrix paper" not in found
    # ...but the file is kept, and coordinators see it among the deleted.
    assert stored_path(files_dir, digest).exists()
    deleted = client.get("/groups/wg/documents/deleted").get_data(as_text=True)
    assert "Matrix paper" in deleted and "Purge" not in deleted  # purging is for admins
    assert client.post(f"/groups/wg/documents/{doc.id}/purge").status_code == 403

    admin = make_client()
    login_as(admin, world, "admin")
    assert "Purge for good" in admin.get("/groups/wg/documents/deleted").get_data(as_text=True)
    # Purging asks first: the answer is a confirmation page, nothing is removed yet.
    asked = admin.post(f"/groups/wg/documents/{doc.id}/purge")
    assert asked.status_code == 200 and "Purge “Matrix paper” for good?" in asked.text
    assert stored_path(files_dir, digest).exists()
    response = admin.post_confirmed(f"/groups/wg/documents/{doc.id}/purge")
    assert response.status_code == 302
    assert "1 file is removed" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert not stored_path(files_dir, digest).exists()
    [event] = audit_events("document.purge")
    assert event.details["versions"][0]["sha256"] == digest
    db.session.expire_all()
    assert db.session.get(Document, doc.id).purged_at is not None
    assert db.session.scalars(select(DocumentVersion)).all() == []
    assert admin.post(f"/groups/wg/documents/{doc.id}/purge").status_code == 404


def test_purge_keeps_a_file_another_document_still_uses(client, world, files_dir):
    shared = _make(world, "Shared copy", content=b"same bytes")
    copy = _make(world, "Second copy", content=b"same bytes")
    services.soft_delete(audit.Actor(user=world["users"]["coordinator"]), shared)
    login_as(client, world, "admin")
    response = client.post_confirmed(f"/groups/wg/documents/{shared.id}/purge")
    assert response.status_code == 302
    assert "0 files are removed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored_path(files_dir, sha(b"same bytes")).exists()
    assert client.get(f"/groups/wg/documents/{copy.id}/versions/1/file").data == b"same bytes"


def test_purging_a_document_that_is_not_deleted_is_refused_with_a_reason(client, world):
    login_as(client, world, "admin")
    response = client.post_confirmed(f"/groups/wg/documents/{world['document'].id}/purge")
    assert response.status_code == 409
    assert "delete it first" in response.get_data(as_text=True)
