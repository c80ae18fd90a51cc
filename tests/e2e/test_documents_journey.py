"""Journey 4: a delegate uploads a new version of a document; another
delegate downloads every version, and each file's SHA-256 is the one the
page shows."""

from __future__ import annotations

import hashlib
from pathlib import Path

from playwright.sync_api import expect

from konsey.documents.samples import make_pdf
from tests.e2e.ui import shoot

DOCUMENT = "Cyber Security: working paper"


def test_journey_4_new_version_downloads_match_their_hashes(open_page):
    revised = make_pdf([DOCUMENT, "Revised by Kazakhstan: incident-response contacts added."])
    uploader = open_page("delegate.kz@kz.example.org")
    uploader.goto("/groups/cyber-security/documents")
    uploader.get_by_role("link", name=DOCUMENT).first.click()
    # The library lists the newest revision (the demo's Rev.1); the journey
    # works on the original, reached from the revision's "Revises" line.
    expect(uploader.locator(".doc-parent")).to_contain_text("Revises")
    uploader.locator(".doc-parent").get_by_role("link").click()
    expect(uploader.locator(".doc-superseded")).to_contain_text("Superseded by")
    new_version = uploader.get_by_role("region", name="Upload a new version")
    new_version.get_by_label("File", exact=True).set_input_files(
        {"name": "working-paper-kz-rev.pdf", "mimeType": "application/pdf", "buffer": revised}
    )
    new_version.get_by_label("Language", exact=True).select_option("en")
    new_version.get_by_role("button", name="Upload version").click()
    versions = uploader.get_by_role("region", name="Versions", exact=True)
    expect(versions).to_contain_text("working-paper-kz-rev.pdf")
    expect(versions).to_contain_text("Delegate of Kazakhstan")

    reader = open_page("head.az@az.example.org")
    reader.goto(uploader.url)
    rows = (
        reader.get_by_role("region", name="Versions", exact=True)
        .get_by_role("row")
        .filter(has=reader.get_by_role("link"))
    )
    expect(rows).to_have_count(3)  # EN, its Russian version, the new EN version
    shoot(reader, "document-versions")
    downloaded = {}
    for row in rows.all():
        shown_hash = row.locator("code").first.inner_text().strip()
        with reader.expect_download() as info:
            row.get_by_role("link").click()
        download = info.value
        data = Path(download.path()).read_bytes()
        assert hashlib.sha256(data).hexdigest() == shown_hash, download.suggested_filename
        downloaded[download.suggested_filename] = data
    assert downloaded["working-paper-kz-rev.pdf"] == revised
    assert set(downloaded) == {
        "working-paper.pdf",
        "working-paper-ru.pdf",
        "working-paper-kz-rev.pdf",
    }
