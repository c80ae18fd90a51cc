"""The meeting's document list (/meetings/<id>/documents) and its ZIP: the
documents of the agenda the reader may read, the newest file of each in the
language asked for (else the original), SHA256SUMS inside, names from the
symbol, streamed in bounded memory; nothing to read → 404 with the reason."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest
from sqlalchemy import select

from konsey import audit
from konsey.documents import services
from konsey.documents.bundle import Damaged
from konsey.extensions import db
from konsey.models import AuditEvent, Document
from tests.integration.conftest import login_as
from tests.integration.documents_support import stored_path
from tests.integration.meetings_data import make_meeting, page_text


@pytest.fixture
def meeting(world):
    m = make_meeting(world["group"], "Cyber meeting", agenda=["Opening", "Strategy"])
    return m


def _paper(world, item, title, *, visibility="group", language="en", content=None, symbol=None):
    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(content or f"{title} ({language})".encode()), "paper.txt")],
        title=title,
        kind="working_paper",
        language=language,
        visibility=visibility,
        agenda_item=item.id,
    )
    if symbol:
        document.symbol = symbol
        db.session.commit()
    return document


def _add(world, document, language, content):
    services.add_version(
        audit.Actor(user=world["users"]["head"]),
        db.session.get(Document, document.id),
        services.Upload(io.BytesIO(content), f"paper-{language}.txt"),
        language=language,
    )


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _sums(archive: zipfile.ZipFile) -> dict[str, str]:
    lines = archive.read("SHA256SUMS").decode().splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_the_list_shows_symbol_title_item_languages_distribution_and_date(client, world, meeting):
    opening, strategy = meeting.agenda
    _paper(world, strategy, "National strategy", symbol="TC/ICT/2026/7")
    paper = _paper(world, opening, "Opening note")
    _add(world, paper, "ru", b"russian note")
    login_as(client, world, "delegate")
    text = page_text(client.get(f"/meetings/{meeting.id}/documents"))
    assert "TC/ICT/2026/7" in text and "National strategy" in text
    assert "1. Opening" in text and "2. Strategy" in text
    assert text.index("Opening note") < text.index("National strategy")  # agenda order
    assert "General" in text  # the distribution
    assert "Download all (ZIP)" in text
    # Linked from the meeting page.
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/documents"' in page


def test_the_zip_holds_each_document_in_the_language_else_the_original(client, world, meeting):
    opening, strategy = meeting.agenda
    a = _paper(world, opening, "Opening note", symbol="TC/ICT/2026/1")
    _add(world, a, "ru", b"Russian text of the opening note")
    b = _paper(world, strategy, "Strategy paper", language="tr", content=b"Turkish original")
    _add(world, b, "en", b"English translation")
    login_as(client, world, "delegate")
    archive = _zip(client.http.get(f"/meetings/{meeting.id}/documents.zip?language=ru"))
    names = archive.namelist()
    assert names[0] == "SHA256SUMS"
    assert "TC_ICT_2026_1-ru.txt" in names
    assert archive.read("TC_ICT_2026_1-ru.txt") == b"Russian text of the opening note"
    # No Russian version: the original (Turkish), not the newest (English).
    [other] = [n for n in names if n not in ("SHA256SUMS", "TC_ICT_2026_1-ru.txt")]
    assert archive.read(other) == b"Turkish original"
    sums = _sums(archive)
    assert set(sums) == set(names) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert archive.testzip() is None


def test_names_in_the_zip_are_unique(client, world, meeting):
    [opening, _strategy] = meeting.agenda
    for i in range(3):
        _paper(world, opening, f"Same name {i}", content=b"x%d" % i)
    login_as(client, world, "delegate")
    archive = _zip(client.http.get(f"/meetings/{meeting.id}/documents.zip?language=en"))
    assert sorted(archive.namelist()) == [
        "SHA256SUMS",
        "paper (2).txt",
        "paper (3).txt",
        "paper.txt",
    ]


def test_an_observer_never_gets_a_file_they_may_not_read(client, world, meeting):
    opening, strategy = meeting.agenda
    _paper(world, opening, "Group only", visibility="group", content=b"secret of the group")
    _paper(world, strategy, "For observers too", visibility="observers", content=b"open text")
    login_as(client, world, "observer")
    text = page_text(client.get(f"/meetings/{meeting.id}/documents"))
    assert "For observers too" in text and "Group only" not in text
    archive = _zip(client.http.get(f"/meetings/{meeting.id}/documents.zip?language=en"))
    contents = [archive.read(n) for n in archive.namelist()]
    assert b"open text" in contents
    assert not any(b"secret of the group" in c for c in contents)
    assert len(_sums(archive)) == 1


def test_nothing_to_read_is_a_404_with_the_reason_not_an_empty_archive(client, world, meeting):
    _paper(world, meeting.agenda[0], "Group only", visibility="group")
    login_as(client, world, "observer")
    response = client.http.get(f"/meetings/{meeting.id}/documents.zip?language=en")
    assert response.status_code == 404
    assert "no document that you may read" in page_text(response)
    api = client.http.get(
        f"/api/v1/meetings/{meeting.id}/documents.zip?language=en",
        headers={"Authorization": f"Bearer {world['tokens']['observer'][1]}"},
    )
    assert api.status_code == 404
    assert "no document that you may read" in api.json["error"]["message"]


def test_an_unknown_language_is_a_400_with_the_reason(client, world, meeting):
    _paper(world, meeting.agenda[0], "Paper")
    login_as(client, world, "delegate")
    response = client.http.get(f"/meetings/{meeting.id}/documents.zip?language=xx")
    assert response.status_code == 400
    assert "xx is not a document language" in page_text(response)
    api = client.http.get(
        f"/api/v1/meetings/{meeting.id}/documents.zip?language=xx",
        headers={"Authorization": f"Bearer {world['tokens']['delegate'][1]}"},
    )
    assert api.status_code == 400 and api.json["error"]["field"] == "language"


def test_the_api_streams_the_zip_with_a_token(client, world, meeting):
    _paper(world, meeting.agenda[0], "Paper", content=b"api text")
    response = client.http.get(
        f"/api/v1/meetings/{meeting.id}/documents.zip?language=ru",
        headers={"Authorization": f"Bearer {world['tokens']['delegate'][1]}"},
    )
    archive = _zip(response)
    assert b"api text" in [archive.read(n) for n in archive.namelist()]
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert "no-store" in response.headers["Cache-Control"]


def test_a_missing_file_is_refused_before_any_byte(client, world, meeting, files_dir):
    paper = _paper(world, meeting.agenda[0], "Paper", content=b"will vanish")
    stored_path(files_dir, paper.versions[0].sha256).unlink()
    login_as(client, world, "delegate")
    response = client.http.get(f"/meetings/{meeting.id}/documents.zip?language=en")
    assert response.status_code == 409
    assert "integrity check" in page_text(response)


def test_a_file_damaged_on_disk_stops_the_stream_and_is_recorded(client, world, meeting, files_dir):
    paper = _paper(world, meeting.agenda[0], "Paper", content=b"original bytes")
    path = stored_path(files_dir, paper.versions[0].sha256)
    path.chmod(0o644)
    path.write_bytes(b"damaged bytes!")  # same length, other content
    login_as(client, world, "delegate")
    with pytest.raises(Damaged, match=r"paper\.txt"):
        client.http.get(f"/meetings/{meeting.id}/documents.zip?language=en").get_data()
    db.session.rollback()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.file_corrupt")
    ).all()
    assert events and events[-1].details["bundle"] is True


def test_the_zip_streams_in_bounded_memory(client, world, meeting, app):
    app.config["MAX_UPLOAD_BYTES"] = 10 * 1024 * 1024
    size = 2 * 1024 * 1024
    for i in range(6):  # 12 MB of distinct text files
        _paper(
            world, meeting.agenda[i % 2], f"Big {i}", content=os.urandom(size // 2).hex().encode()
        )
    login_as(client, world, "delegate")
    tracemalloc.start()
    try:
        response = client.http.get(
            f"/meetings/{meeting.id}/documents.zip?language=en", buffered=False
        )
        total = 0
        digest = hashlib.sha256()
        for chunk in response.response:
            total += len(chunk)
            digest.update(chunk)
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 6 * size
    assert peak < total / 5, f"peak {peak} bytes for an archive of {total}"


def test_the_demo_has_statuses_and_a_meeting_list_with_its_zip(demo, client):
    from konsey.models import DocumentTranslation, WorkingGroup

    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "cyber-security"))
    paper = db.session.scalar(
        select(Document).where(Document.title == f"{group.name}: working paper")
    )
    statuses = {t.status.value for t in db.session.scalars(select(DocumentTranslation))}
    assert statuses == {"requested", "in_translation", "not_planned"}
    client.login("delegate.kz@kz.example.org")  # reads in Russian
    meeting_id = paper.agenda_item.meeting_id
    text = page_text(client.get(f"/meetings/{meeting_id}/documents"))
    assert paper.title in text and "Перевод запрошен, срок" in text
    # The reader's own language first: the Russian version, then the English original.
    row = text[text.index("Общее") - 300 : text.index("Общее")]
    assert row.index("RU") < row.index("EN")
    archive = _zip(client.http.get(f"/meetings/{meeting_id}/documents.zip?language=ru"))
    assert any(n.endswith(".pdf") for n in archive.namelist())
    assert archive.testzip() is None
