"""Hostile files cost a bounded few seconds and megabytes, in the extraction
child process (never the web's); normal files still become searchable."""

from __future__ import annotations

import io
import time

import pytest

from konsey.documents import files, samples, sandbox
from konsey.extensions import db
from konsey.models import DocumentVersion
from tests import hostile_files as h
from tests.conftest import DATABASE_URL, IN_CI, REDIS_URL
from tests.integration.conftest import login_as
from tests.integration.documents_support import run_extraction, upload_form

CPU_BOUND = 6.0  # seconds of the child's CPU, whatever the file
MEMORY_BOUND = 256  # MB, the child's peak RSS (its RLIMIT_AS is the default 256 MB)


def _measure(app, tmp_path, data: bytes, kind: files.FileKind) -> sandbox.Outcome:
    path = tmp_path / "hostile"
    path.write_bytes(data)
    with app.app_context():
        limits = sandbox.Limits.from_config(app.config)
    return sandbox.run(path, kind.media_type, limits)


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("pdf-shared-stream", lambda: h.pdf_shared_stream(300, 2_000_000), files.PDF),
        (
            "pdf-distinct-streams",
            lambda: h.pdf_shared_stream(60, 2_000_000, distinct=True),
            files.PDF,
        ),
        ("docx-6M-elements", lambda: h.docx_empty_elements(6_000_000), files.DOCX),
        ("docx-zip-bomb", lambda: h.docx_zip_bomb(300_000_000), files.DOCX),
    ],
)
def test_hostile_file_costs_bounded_cpu_and_memory(app, tmp_path, name, make, kind):
    data = make()
    assert len(data) < 2_000_000  # small on disk
    outcome = _measure(app, tmp_path, data, kind)
    print(
        f"{name}: {len(data) // 1024} KB, {outcome.status}, {outcome.cpu_seconds:.2f} s CPU, "
        f"{outcome.max_rss_mb:.0f} MB peak, {outcome.wall_seconds:.2f} s wall"
    )
    assert outcome.status == sandbox.LIMITED
    assert outcome.cpu_seconds < CPU_BOUND
    assert outcome.max_rss_mb < MEMORY_BOUND


def test_text_found_before_a_limit_is_kept(app, tmp_path):
    outcome = _measure(app, tmp_path, h.docx_empty_elements(6_000_000), files.DOCX)
    assert outcome.status == sandbox.LIMITED
    assert "early" in outcome.text


def test_upload_answers_at_once_and_text_joins_index_after_worker(client, world):
    login_as(client, world, "delegate")
    hostile = h.pdf_shared_stream(300, 2_000_000, distinct=True)
    started = time.monotonic()
    response = upload_form(
        client,
        "wg",
        [
            ("hostile.pdf", hostile),
            ("n.docx", h.docx_with_text(["Quarantined orbital telemetry"])),
            ("n.pdf", h.pdf_with_text(["Heliostat calibration"])),
        ],
        title="Batch",
    )
    assert response.status_code in (200, 302, 303)
    assert time.monotonic() - started < 5  # no extraction on the web's thread
    statuses = db.session.scalars(select_statuses()).all()
    assert statuses == ["pending", "pending", "pending"]
    page = client.get("/search", query_string={"q": "telemetry"})
    assert "Quarantined" not in page.get_data(as_text=True)  # nothing until indexed
    assert run_extraction() >= 3
    db.session.expire_all()
    assert sorted(db.session.scalars(select_statuses()).all()) == ["done", "done", "limited"]
    for query in ("telemetry", "heliostat"):
        page = client.get("/search", query_string={"q": query, "kind": "document"})
        assert "<mark>" in page.get_data(as_text=True), query


def select_statuses():
    from sqlalchemy import select

    return (
        select(DocumentVersion.extraction)
        .where(DocumentVersion.filename.in_(["hostile.pdf", "n.docx", "n.pdf"]))
        .order_by(DocumentVersion.id)
    )


@pytest.mark.skipif(
    (REDIS_URL is None or DATABASE_URL is None) and not IN_CI, reason="needs Redis and PostgreSQL"
)
def test_a_real_worker_reads_an_upload_once(app, world):
    """After the upload's commit a real Celery worker (woken by task name)
    reads the file in its child process and the text joins the index."""
    import redis

    from konsey import audit as konsey_audit
    from konsey.documents import services as document_services
    from konsey.documents.extraction import request_extraction
    from konsey.extensions import db as konsey_db
    from konsey.models import DocumentVersion as Version
    from tests.integration.test_workers import (
        WORKER_REDIS_DB,
        _wait,
        _worker_app,
        running_worker,
    )

    url = REDIS_URL.rsplit("/", 1)[0] + f"/{WORKER_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    [document] = document_services.create_documents(
        konsey_audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [
            document_services.Upload(
                io.BytesIO(samples.make_pdf(["Transit corridor capacity"])), "c.pdf"
            )
        ],
        title="Corridor",
        description="",
        kind="report",
        language="en",
        visibility="group",
    )
    version_id = document.versions[0].id
    worker_app = _worker_app(app, url, 25)
    # Each test has its own file folder (tests/integration/conftest.py).
    worker_app.config["FILES_PATH"] = app.config["FILES_PATH"]

    def extraction():
        with worker_app.app_context():
            return konsey_db.session.get(Version, version_id).extraction

    with running_worker(worker_app):
        with worker_app.app_context():
            request_extraction()
            request_extraction()  # a second wake-up call reads nothing twice
        _wait(lambda: extraction() == "done", what="extraction by the worker")
    konsey_db.session.expire_all()
    version = konsey_db.session.get(Version, version_id)
    assert "Transit corridor capacity" in version.text
    redis.Redis.from_url(url).flushdb()
