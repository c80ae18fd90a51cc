"""Files: what is downloaded is exactly what was uploaded, or nothing.

Ranges, ETags, safe headers, detection of a damaged file, storage of
identical files once, and no orphan rows or files after a failed upload."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import select

from konsey import audit, storage
from konsey.documents import services
from konsey.extensions import db
from konsey.models import StoredFile
from tests.integration.conftest import login_as
from tests.integration.documents_support import (
    audit_events,
    counts,
    sha,
    stored,
    stored_path,
    upload_form,
)

CONTENT = bytes(range(256)) * 40  # 10 KB, not text: served as it is
NAME = "Қазақстан отчёт «2017».pdf"


def _upload(world, content: bytes, name="paper.txt", title="Paper", who="delegate"):
    [document] = services.create_documents(
        audit.Actor(user=world["users"][who]),
        world["group"],
        [services.Upload(io.BytesIO(content), name)],
        title=title,
        kind="report",
        language="en",
        visibility="group",
    )
    return document


@pytest.fixture
def pdf_doc(world):
    return _upload(world, b"%PDF-1.4\n" + CONTENT, NAME, "Report")


def _url(doc, number=1):
    return f"/groups/wg/documents/{doc.id}/versions/{number}/file"


def test_download_is_an_attachment_with_the_original_name_and_type(client, world, pdf_doc):
    login_as(client, world, "expert")
    response = client.get(_url(pdf_doc))
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4\n" + CONTENT
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%D2%9A%D0%B0%D0%B7%D0%B0%D2%9B" in disposition
    assert 'filename="' in disposition  # an ASCII fallback for old clients
    assert response.headers["ETag"] == f'"{sha(response.data)}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "private" in response.headers["Cache-Control"]


def test_text_files_are_served_as_utf8_text_attachments(client, world):
    doc = _upload(world, "Протокол заседания\n".encode(), "protokol.txt")
    login_as(client, world, "delegate")
    response = client.get(_url(doc))
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_if_none_match_answers_304_without_a_body(client, world, pdf_doc):
    login_as(client, world, "expert")
    etag = client.get(_url(pdf_doc)).headers["ETag"]
    response = client.get(_url(pdf_doc), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    other = client.get(_url(pdf_doc), headers={"If-None-Match": '"not-it"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-9", 0, 9), ("bytes=100-199", 100, 199), ("bytes=-5", None, None)],
)
def test_range_requests_get_206_and_just_those_bytes(client, world, pdf_doc, header, start, end):
    full = b"%PDF-1.4\n" + CONTENT
    if start is None:
        start, end = len(full) - 5, len(full) - 1
    login_as(client, world, "expert")
    response = client.get(_url(pdf_doc), headers={"Range": header})
    assert response.status_code == 206
    assert response.data == full[start : end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(full)}"


def test_unsatisfiable_range_is_416_not_500(client, world, pdf_doc):
    login_as(client, world, "expert")
    response = client.get(_url(pdf_doc), headers={"Range": "bytes=999999-"})
    assert response.status_code == 416


def _corrupt(files_dir, digest, data=b"tampered"):
    path = stored_path(files_dir, digest)
    os.chmod(path, 0o640)
    path.write_bytes(data)


def test_a_damaged_file_is_refused_and_recorded(client, world, pdf_doc, files_dir):
    digest = pdf_doc.versions[0].sha256
    _corrupt(files_dir, digest, b"%PDF-1.4\n" + CONTENT[:-1] + b"\x00")
    login_as(client, world, "head")
    response = client.get(_url(pdf_doc))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "failed its integrity check" in page
    assert "\x00" not in page and CONTENT[:50].decode("latin-1") not in page
    [event] = audit_events("document.file_corrupt")
    assert event.actor_id == world["users"]["head"].id
    assert event.details == {
        "group_id": world["group"].id,
        "version": 1,
        "sha256": digest,
        "missing": False,
    }
    # A range of a damaged file is not served either.
    assert client.get(_url(pdf_doc), headers={"Range": "bytes=0-3"}).status_code == 409
    api = client.http.get(f"/api/v1/documents/{pdf_doc.id}/versions/1/file")
    assert api.status_code == 409
    assert api.get_json()["error"]["code"] == "file_corrupt"


def test_a_missing_file_is_refused_and_recorded(client, world, pdf_doc, files_dir):
    stored_path(files_dir, pdf_doc.versions[0].sha256).unlink()
    login_as(client, world, "head")
    assert client.get(_url(pdf_doc)).status_code == 409
    [event] = audit_events("document.file_corrupt")
    assert event.details["missing"] is True


def test_identical_uploads_are_stored_once(client, world, files_dir):
    first = _upload(world, b"the same bytes", "a.txt", "First")
    second = _upload(world, b"the same bytes", "b.txt", "Second")
    digest = sha(b"the same bytes")
    assert [p.name for p in stored(files_dir) if p.name == digest] == [digest]
    assert db.session.scalars(select(StoredFile.sha256)).all().count(digest) == 1
    login_as(client, world, "delegate")
    assert client.get(_url(first)).data == client.get(_url(second)).data == b"the same bytes"
    assert 'filename="b.txt"' in client.get(_url(second)).headers["Content-Disposition"]


def test_a_refused_batch_leaves_no_rows_and_no_files(client, world, files_dir):
    login_as(client, world, "delegate")
    before, files_before = counts(), stored(files_dir)
    response = upload_form(client, "wg", [("good.txt", b"good"), ("bad.svg", b"<svg/>")])
    assert response.status_code == 422
    assert counts() == before
    assert stored(files_dir) == files_before
    assert not list((files_dir / ".staging").glob("*"))


def test_a_database_failure_after_the_file_is_stored_removes_the_file(
    client, world, files_dir, monkeypatch
):
    """The transaction fails at its very end (after the file entered the store):
    the rows are rolled back and the new file removed again."""
    before, files_before = counts(), stored(files_dir)
    real_commit = db.session.commit

    def failing_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        _upload(world, b"never half-stored", "half.txt", "Half")
    monkeypatch.setattr(db.session, "commit", real_commit)
    db.session.rollback()
    assert counts() == before
    assert stored(files_dir) == files_before
    assert not stored_path(files_dir, sha(b"never half-stored")).exists()


def test_a_failed_version_keeps_a_file_that_was_already_stored(world, files_dir, monkeypatch):
    doc = world["document"]
    existing = doc.versions[0].sha256

    def failing_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        services.add_version(
            audit.Actor(user=world["users"]["delegate"]),
            doc,
            services.Upload(
                io.BytesIO(b"Matrix working paper: fibre-optic infrastructure.\n"), "x.txt"
            ),
            language="en",
        )
    monkeypatch.undo()
    db.session.rollback()
    assert stored_path(files_dir, existing).exists()  # the first version's file stays


def test_staging_streams_in_chunks_and_hashes_on_the_way(tmp_path):
    class Chunks(io.RawIOBase):
        """A stream that refuses to be read whole."""

        def __init__(self, size):
            self.left = size

        def readable(self):
            return True

        def read(self, n=-1):
            assert 0 < n <= storage.CHUNK, "read in bounded chunks, never whole"
            n = min(n, self.left)
            self.left -= n
            return b"a" * n

    staged = storage.stage(Chunks(5 * storage.CHUNK + 7), tmp_path, 10**9)
    assert staged.size == 5 * storage.CHUNK + 7
    assert staged.sha256 == sha(b"a" * staged.size)
    with pytest.raises(storage.TooLarge):
        storage.stage(Chunks(3 * storage.CHUNK), tmp_path / "x", 2 * storage.CHUNK)
    assert list((tmp_path / "x").iterdir()) == []  # the partial copy is gone
