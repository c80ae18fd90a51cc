"""Extraction jobs: each new version's text, found by a worker, joins the index.

The upload writes its versions as ``pending`` in its own transaction and,
after the commit, wakes the workers by task name. A worker claims one
version at a time (a conditional UPDATE, and ``SKIP LOCKED`` on PostgreSQL,
so two workers never extract the same version), runs the extraction in a
limited child process (``sandbox``) with no transaction open, then stores
the text and re-indexes the document. A periodic sweep picks up whatever a
lost wake-up or a dead worker left behind; a version that keeps killing its
worker ends ``failed`` after a few attempts instead of being retried forever.
Until its text is in, search finds a file by its title and names only.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from konsey import storage
from konsey.background import enqueue
from konsey.documents import sandbox
from konsey.extensions import db
from konsey.models import DocumentVersion
from konsey.models.base import utcnow

log = logging.getLogger(__name__)
EXTRACT_PENDING = "workers.extraction.extract_pending"
PENDING, RUNNING = "pending", "running"


def request_extraction() -> None:
    """After an upload commits: wake a worker (the sweep covers a lost call)."""
    enqueue(EXTRACT_PENDING)


def _stale_before():
    # A claim older than a few wall-clock limits belongs to a worker that died.
    return utcnow() - timedelta(seconds=3 * current_app.config["EXTRACT_WALL_SECONDS"] + 60)


def claim_next() -> int | None:
    """Take the oldest open version for this process; None when there is none."""
    max_attempts = current_app.config["EXTRACT_MAX_ATTEMPTS"]
    claimable = sa.or_(
        DocumentVersion.extraction == PENDING,
        sa.and_(
            DocumentVersion.extraction == RUNNING,
            DocumentVersion.extraction_started_at < _stale_before(),
        ),
    )
    while True:
        candidate = db.session.execute(
            select(DocumentVersion.id, DocumentVersion.extraction_attempts)
            .where(claimable)
            .order_by(DocumentVersion.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            db.session.rollback()
            return None
        version_id, attempts = candidate
        if attempts >= max_attempts:
            # It killed (or outlived) its worker every time: give up, visibly.
            db.session.execute(
                sa.update(DocumentVersion)
                .where(DocumentVersion.id == version_id, claimable)
                .values(extraction=sandbox.FAILED)
            )
            db.session.commit()
            log.error("version %s: extraction failed %s times, given up", version_id, attempts)
            continue
        claimed = db.session.execute(
            sa.update(DocumentVersion)
            .where(DocumentVersion.id == version_id, claimable)
            .values(
                extraction=RUNNING,
                extraction_attempts=DocumentVersion.extraction_attempts + 1,
                extraction_started_at=utcnow(),
            )
        ).rowcount
        db.session.commit()
        if claimed:
            return version_id


def extract_version(version_id: int) -> sandbox.Outcome | None:
    """Extract one claimed version and index it; None if it vanished meanwhile."""
    row = db.session.execute(
        select(DocumentVersion.sha256, DocumentVersion.media_type).where(
            DocumentVersion.id == version_id
        )
    ).first()
    db.session.rollback()  # no transaction stays open while the child runs
    if row is None:
        return None
    limits = sandbox.Limits.from_config(current_app.config)
    outcome = _run_on_stored_file(row.sha256, row.media_type, limits)
    version = db.session.get(DocumentVersion, version_id, with_for_update=True)
    if version is None or version.extraction != RUNNING:
        db.session.rollback()
        return outcome
    version.text = outcome.text
    version.extraction = outcome.status
    db.session.commit()  # konsey.search.index rewrites the document's entry
    log.info(
        "version %s: extraction %s, %d chars, %.2f s CPU, %.0f MB",
        version_id,
        outcome.status,
        len(outcome.text),
        outcome.cpu_seconds,
        outcome.max_rss_mb,
    )
    return outcome


def _run_on_stored_file(sha256: str, media_type: str, limits) -> sandbox.Outcome:
    store = storage.get_storage()
    path = store.local_path(sha256)
    if path is not None:
        if not path.is_file():
            return sandbox.Outcome(sandbox.FAILED, "", 0.0, 0.0, 0.0, "file missing")
        return sandbox.run(path, media_type, limits)
    # An object store: copy the file to local staging for the child to read.
    import shutil
    import tempfile

    with tempfile.NamedTemporaryFile(dir=storage.staging_dir()) as copy:
        try:
            with store.open(sha256) as source:
                shutil.copyfileobj(source, copy, 1024 * 1024)
        except FileNotFoundError:
            return sandbox.Outcome(sandbox.FAILED, "", 0.0, 0.0, 0.0, "file missing")
        copy.flush()
        return sandbox.run(Path(copy.name), media_type, limits)


def extract_pending(limit: int = 100) -> int:
    """Extract open versions one by one until none is left (or ``limit``)."""
    done = 0
    for _ in range(limit):
        version_id = claim_next()
        if version_id is None:
            break
        extract_version(version_id)
        done += 1
    return done
