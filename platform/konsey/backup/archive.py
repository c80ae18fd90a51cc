"""Backups of a whole instance taken while it runs, and restores into an empty one.

A backup folder holds the database (``database.pgdump``, a pg_dump custom-format
archive, or ``database.sqlite3``), the document files it references under
``files/aa/bb/<sha256>``, and ``manifest.json``: the SHA-256 and size of every
file, the schema revision, the row count of every table, when and by which
Konsey version it was made. The manifest is written last, so a folder without
one is an interrupted backup.

Consistency: the database is read from one snapshot first, then the files that
snapshot references are copied. Files are immutable and named by their hash,
so uploads after the snapshot only add files the backup does not need; a purge
after the snapshot may remove one it needs, which is noticed and retried.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa

from konsey import storage
from konsey.backup import databases
from konsey.backup.databases import DUMP, RESTORE, BackupError, current_tables
from konsey.extensions import db

MANIFEST = "manifest.json"
FORMAT = 1
FILES_DIR = "files"
ATTEMPTS = 3


class _Vanished(Exception):
    """A file the snapshot references was purged before it could be copied."""


def _file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return storage.sha256_of(fh)


# Backup ---------------------------------------------------------------------------
def _copy_blob(store, sha256: str, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with store.open(sha256) as src, target.open("wb") as out:
        while chunk := src.read(storage.CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def blob_path(sha256: str) -> str:
    return f"{FILES_DIR}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _take(target: Path, backend: str) -> dict:
    db_file, dump = DUMP[backend]
    snapshot = dump(target / db_file)
    files = {
        db_file: {
            "sha256": _file_sha256(target / db_file),
            "size": (target / db_file).stat().st_size,
        }
    }
    store = storage.get_storage()
    for sha in snapshot.hashes:
        try:
            actual, size = _copy_blob(store, sha, target / blob_path(sha))
        except FileNotFoundError:
            db.session.remove()
            if db.session.scalar(
                sa.text("SELECT 1 FROM stored_file WHERE sha256 = :s"), {"s": sha}
            ):
                raise BackupError(
                    f"The stored file {sha} is missing although the database lists it; "
                    "run `flask --app wsgi konsey cleanup` to see which documents lose it."
                ) from None
            raise _Vanished(sha) from None
        files[blob_path(sha)] = {"sha256": actual, "size": size}
    return {
        "format": FORMAT,
        "konsey_version": _version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "database_file": db_file,
        "schema_revision": snapshot.revision,
        "tables": snapshot.tables,
        "documents": snapshot.hashes,
        "files": files,
    }


def _version() -> str:
    try:
        return metadata.version("konsey")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup(target: Path) -> dict:
    """Write a backup into ``target`` (a new or empty folder); returns the manifest."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty folder; choose a new one.")
    backend = databases.backend()
    for attempt in range(ATTEMPTS):
        target.mkdir(parents=True, exist_ok=True)
        try:
            manifest = _take(target, backend)
            break
        except _Vanished:
            shutil.rmtree(target)
            if attempt == ATTEMPTS - 1:
                raise BackupError(
                    "Documents kept being purged during the backup; try again."
                ) from None
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    partial = target / (MANIFEST + ".tmp")
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(partial, target / MANIFEST)
    return manifest


# Restore --------------------------------------------------------------------------
def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} has no {MANIFEST}: not a Konsey backup, or an unfinished one."
        ) from None
    except (ValueError, OSError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Konsey backup manifest of format {FORMAT}.")
    return manifest


def verify_backup(source: Path) -> dict:
    """Check every file against the manifest; raise BackupError listing what is wrong."""
    source = Path(source)
    manifest = read_manifest(source)
    listed = manifest.get("files") or {}
    problems = []
    for rel, expected in sorted(listed.items()):
        path = source / rel
        if ".." in Path(rel).parts or not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != expected.get("size") or _file_sha256(path) != expected.get(
            "sha256"
        ):
            problems.append(f"{rel}: does not match its SHA-256 in the manifest")
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source).as_posix()
        if rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: not listed in the manifest")
    for sha in manifest.get("documents") or []:
        if blob_path(sha) not in listed:
            problems.append(f"{blob_path(sha)}: the database needs it but the manifest lacks it")
    if manifest.get("database_file") not in listed:
        problems.append("the database file is not listed in the manifest")
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise BackupError(f"The backup in {source} is damaged, nothing was restored: {shown}.")
    return manifest


def _check_revision(revision: str | None) -> None:
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except Exception as exc:  # alembic raises several kinds for an unknown id
        raise BackupError(
            f"The backup's schema revision {revision!r} is unknown to this Konsey version; "
            "restore it with the version that made it (or a newer one)."
        ) from exc


def _check_empty_target(manifest: dict) -> None:
    from konsey.models.documents import is_search_index

    # The search index is derived from the documents (and SQLite's full-text
    # tables keep a configuration row even when empty).
    rows = {
        t: n
        for t, n in current_tables().items()
        if n and t != "alembic_version" and not is_search_index(t)
    }
    if rows:
        table = sorted(rows)[0]
        raise BackupError(
            f"The target database is not empty ({table} has {rows[table]} rows); "
            "restore only into an empty instance (a new database and an empty file folder)."
        )
    store = storage.get_storage()
    if isinstance(store, storage.LocalStorage):
        kept = [p for p in store.root.rglob("*") if p.is_file() and ".staging" not in p.parts]
        if kept:
            raise BackupError(
                f"The file store {store.root} is not empty ({len(kept)} files); "
                "restore only into an empty instance."
            )
    elif any(store.exists(sha) for sha in manifest.get("documents") or []):
        raise BackupError(
            "The file store already holds documents; restore only into an empty instance."
        )


def _restore_blob(store, source: Path, sha256: str) -> None:
    with source.open("rb") as fh:
        staged = storage.stage(fh, storage.staging_dir(), max_bytes=2**62)
    if staged.sha256 != sha256:  # a damaged file kept as it was backed up
        staged.sha256 = sha256
    store.save(staged)


def _check_restored(manifest: dict) -> None:
    problems = []
    counts = current_tables()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"table {table}: {counts.get(table)} rows, expected {expected}")
    store = storage.get_storage()
    for sha in manifest.get("documents") or []:
        try:
            with store.open(sha) as fh:
                ok = storage.sha256_of(fh) == manifest["files"][blob_path(sha)]["sha256"]
        except FileNotFoundError:
            ok = False
        if not ok:
            problems.append(f"file {sha}: not restored intact")
    if problems:
        raise BackupError(
            "The restored instance does not match the backup: " + "; ".join(problems[:10])
        )


def restore(source: Path) -> dict:
    """Restore a verified backup into this (empty) instance; returns the manifest."""
    source = Path(source)
    manifest = verify_backup(source)
    backend = databases.backend()
    if manifest.get("backend") != backend:
        raise BackupError(
            f"This backup is of a {manifest.get('backend')} database; the instance uses {backend}."
        )
    _check_revision(manifest.get("schema_revision"))
    _check_empty_target(manifest)
    load, wipe = RESTORE[backend]
    load(source / manifest["database_file"])
    store = storage.get_storage()
    try:
        for sha in manifest.get("documents") or []:
            _restore_blob(store, source / blob_path(sha), sha)
        _check_restored(manifest)
    except BaseException:
        # Back to an empty instance, so that the restore can simply be run again.
        for sha in manifest.get("documents") or []:
            store.delete(sha)
        wipe()
        raise
    return manifest
