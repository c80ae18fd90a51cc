"""The demo's Russian and Turkish PDFs carry real text in an embedded font: the
extraction worker reads it back as written, and search finds it."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from konsey import storage
from konsey.demo import load_demo, pdffonts
from konsey.documents import extract
from konsey.extensions import db
from konsey.models import Document, DocumentVersion, WorkingGroup
from tests.integration.documents_support import run_extraction

ADMIN = "admin@secretariat.example.org"


def _versions(language: str) -> list[DocumentVersion]:
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.language == language)
            .where(DocumentVersion.media_type == "application/pdf")
            .order_by(DocumentVersion.id)
        )
    )


def _hits(client, query: str) -> list[str]:
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 200
    return re.findall(r'<h2><a href="[^"]+">(.+?)</a></h2>', page.get_data(as_text=True))


def test_russian_and_turkish_demo_pdfs_give_back_their_text(demo, client):
    run_extraction()  # the worker's part, in its sandboxed child process
    russian = _versions("ru")
    groups = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.id)).all()
    assert len(russian) == len(groups) == 5  # each group's working paper in Russian
    cyber = next(v for v in russian if v.document.group.slug == "cyber-security")
    assert cyber.extraction == "done"
    assert cyber.text.startswith("Рабочая группа по кибербезопасности:")
    # Lines wider than the page wrap; every word comes back, in order.
    assert cyber.text.split() == " ".join(pdffonts.russian_lines(cyber.document.group)).split()
    [turkish] = _versions("tr")
    assert turkish.document.title == pdffonts.TURKISH_TITLE
    assert turkish.extraction == "done"
    assert turkish.text.split() == " ".join(pdffonts.TURKISH_TEXT).split()
    assert "?" not in turkish.text + "".join(v.text for v in russian)

    client.login(ADMIN)
    # The working paper's title is English: only its Russian PDF's text can match
    # (the demo's Russian meeting, minutes and strategy match too).
    assert "Cyber Security: working paper" in _hits(client, "кибербезопасности")
    assert pdffonts.TURKISH_TITLE in _hits(client, "Sekretaryaya")
    assert pdffonts.TURKISH_TITLE in _hits(client, "Kazakistan’ın")


def test_every_demo_pdf_embeds_its_font_with_a_unicode_map(demo):
    store = storage.get_storage()
    versions = db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.media_type == "application/pdf")
    ).all()
    assert {v.language for v in versions} >= {"en", "ru", "tr"}
    for version in versions:
        with store.open(version.sha256) as fh:
            reader = PdfReader(io.BytesIO(fh.read()))
        for font in reader.pages[0]["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), version.filename
            assert "/ToUnicode" in font, version.filename
        text = extract.normalise(reader.pages[0].extract_text())
        assert "?" not in text, (version.filename, text)


def test_loading_the_demo_again_adds_no_paper(demo):
    count = db.session.query(Document).count()
    assert load_demo()["documents"] == 0
    assert db.session.query(Document).count() == count
