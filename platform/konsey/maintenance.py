"""Finding what an interrupted upload can leave behind, and what is lost.

An upload is staged to ``<files>/.staging/upload-*``, renamed into the store
under its hash, and only then is its row committed. A process killed between
these steps leaves a staged file, or a stored file no row references. Both
are harmless (invisible to users) and this module finds and removes them once
they are older than a grace period (younger ones may be uploads in flight).
Rows whose file is missing are the serious case: they are reported, never
changed, so that the file can be brought back from a backup.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from konsey import storage
from konsey.extensions import db
from konsey.models import DocumentVersion, StoredFile

SHA_RE = re.compile(r"[0-9a-f]{64}")
DEFAULT_GRACE_MINUTES = 60.0


@dataclass
class Report:
    staged: list[Path] = field(default_factory=list)  # temporary upload files
    orphans: list[str] = field(default_factory=list)  # stored files no row references
    missing: dict[str, list[int]] = field(default_factory=dict)  # sha -> document ids
    removed: int = 0


def _old(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _stored_hashes(root: Path) -> dict[str, Path]:
    found = {}
    for path in root.glob("??/??/*"):
        name = path.name
        if SHA_RE.fullmatch(name) and path.parent.parent.name == name[:2] and path.is_file():
            found[name] = path
    return found


def _remove_unreferenced(sha256: str, path: Path) -> bool:
    """Delete a stored file unless a row refers to it, even one not yet committed.

    Inserting the file's row ourselves waits for any upload of the same
    content still in its transaction (it inserted the same key first), and
    makes any later one wait until the file is gone; rolled back afterwards,
    so such an upload then stores its file anew."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    try:
        claimed = db.session.execute(
            insert(StoredFile)
            .values(sha256=sha256, size=0)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(StoredFile.sha256)
        ).first()
        if claimed is None:
            return False
        path.unlink(missing_ok=True)
        return True
    except sa.exc.OperationalError:  # e.g. SQLite busy: keep it, a later run retries
        return False
    finally:
        db.session.rollback()


def scan(grace_seconds: float, apply: bool = False) -> Report:
    """What is left behind (older than the grace period) and what is missing."""
    report = Report()
    store = storage.get_storage()
    cutoff = time.time() - grace_seconds
    staging = storage.staging_dir()
    if staging.is_dir():
        report.staged = sorted(p for p in staging.iterdir() if p.is_file() and _old(p, cutoff))
    referenced = set(db.session.scalars(sa.select(StoredFile.sha256)))
    if isinstance(store, storage.LocalStorage):
        on_disk = _stored_hashes(store.root)
        candidates = {s: p for s, p in on_disk.items() if s not in referenced and _old(p, cutoff)}
        report.orphans = sorted(candidates)
        gone = sorted(referenced - set(on_disk))
    else:  # an object store: no cheap listing; check that each row's file is there
        candidates = {}
        gone = sorted(s for s in referenced if not store.exists(s))
    for sha in gone:
        ids = db.session.scalars(
            sa.select(DocumentVersion.document_id).where(DocumentVersion.sha256 == sha).distinct()
        )
        report.missing[sha] = sorted(ids)
    db.session.rollback()
    if apply:
        for path in report.staged:
            path.unlink(missing_ok=True)
            report.removed += 1
        for sha, path in candidates.items():
            report.removed += _remove_unreferenced(sha, path)
    return report


@click.command("cleanup")
@click.option("--apply", is_flag=True, help="Delete what is found (default: only report).")
@click.option(
    "--grace-minutes",
    type=click.FloatRange(min=0),
    default=DEFAULT_GRACE_MINUTES,
    show_default=True,
    help="Leave files younger than this alone: they may be uploads in progress.",
)
@with_appcontext
def cleanup_command(apply: bool, grace_minutes: float):
    """Find files left by interrupted uploads (and remove them with --apply), and
    documents whose file is missing (reported only)."""
    report = scan(grace_minutes * 60, apply=apply)
    verb = "removed" if apply else "would be removed (run with --apply)"
    for path in report.staged:
        click.echo(f"temporary upload file {verb}: {path}")
    for sha in report.orphans:
        click.echo(f"stored file no document uses {verb}: {sha}")
    for sha, documents in report.missing.items():
        ids = ", ".join(map(str, documents)) or "none"
        click.echo(f"MISSING stored file {sha} (documents: {ids}); restore it from a backup")
    leftovers = len(report.staged) + len(report.orphans)
    click.echo(
        f"{leftovers} leftover file(s), {report.removed} removed; "
        f"{len(report.missing)} missing file(s)."
    )
    if report.missing:
        raise SystemExit(1)
