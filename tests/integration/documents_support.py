"""Helpers of the document tests (the per-test files folder, ``files_dir``, is
an autouse fixture of tests/integration/conftest.py)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from sqlalchemy import func, select

from konsey.extensions import db
from konsey.models import AuditEvent, Document, DocumentVersion, StoredFile

MULTIPART = "multipart/form-data"


def stored(files_dir: Path) -> list[Path]:
    """Every file under the store, staging folder included."""
    return sorted(p for p in files_dir.rglob("*") if p.is_file()) if files_dir.exists() else []


def stored_path(files_dir: Path, sha: str) -> Path:
    return files_dir / sha[:2] / sha[2:4] / sha


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def counts() -> dict[str, int]:
    """Rows of the document tables (and audit events), to prove nothing changed."""
    with db.session.no_autoflush:
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Document, DocumentVersion, StoredFile, AuditEvent)
        }


def upload_form(client, slug: str, files, **fields):
    """Post the library's upload form: ``files`` is [(name, bytes), ...]."""
    data = {
        "title": "",
        "description": "",
        "kind": "working_paper",
        "language": "en",
        "visibility": "group",
        "agenda_item": "",
        **fields,
        "file": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(f"/groups/{slug}/documents/upload", data, content_type=MULTIPART)


def version_form(client, slug: str, document_id: int, name: str, content: bytes, language="en"):
    return client.post(
        f"/groups/{slug}/documents/{document_id}/versions",
        {"file": (io.BytesIO(content), name), "language": language},
        content_type=MULTIPART,
    )


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def run_extraction() -> int:
    """What a worker does after an upload: extract pending files (real child processes)."""
    from konsey.documents.extraction import extract_pending

    return extract_pending()
