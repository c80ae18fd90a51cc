"""Documents with 1–3 versions and their files in the store (the search index
is rebuilt after the whole run)."""

from __future__ import annotations

import hashlib
import os
import random
import tempfile
from datetime import datetime, timedelta

import sqlalchemy as sa

from konsey import storage
from konsey.documents import samples
from konsey.extensions import db
from konsey.models import Document, DocumentKind, DocumentVersion, StoredFile, Visibility
from konsey.scale.bulk import Writer
from konsey.scale.people import GroupPeople

TOPICS = [
    "broadband roll-out",
    "incident response",
    "data protection",
    "interoperability framework",
    "satellite capacity",
    "digital signatures",
    "cross-border fibre",
    "spectrum coordination",
    "open data",
    "cloud services",
    "e-customs",
    "postal services",
    "research networks",
    "national strategy",
    "training programme",
    "legal framework",
    "roaming tariffs",
    "cybercrime",
]
KIND_WORDS = {
    DocumentKind.WORKING_PAPER: "Working paper",
    DocumentKind.PRESENTATION: "Presentation",
    DocumentKind.REPORT: "Report",
    DocumentKind.MINUTES: "Minutes",
    DocumentKind.OTHER: "Note",
}
VISIBILITIES = [Visibility.GROUP] * 5 + [Visibility.COUNCIL] * 3 + [Visibility.OBSERVERS] * 2
LANGUAGES = ["en"] * 6 + ["ru"] * 3 + ["tr"]


class FileWriter:
    """Writes small files through the storage interface (local folder or S3)."""

    def __init__(self):
        self.store = storage.get_storage()
        self.staging = storage.staging_dir()
        self.staging.mkdir(parents=True, exist_ok=True)
        self.written = 0

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        fd, name = tempfile.mkstemp(dir=self.staging, prefix="generate-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        staged = storage.StagedFile(
            path=storage.Path(name),
            sha256=sha,
            size=len(data),
            head=data[: storage.HEAD_BYTES],
            utf8=not data.startswith(b"%PDF"),
        )
        if self.store.save(staged):
            self.written += 1
        return sha


def _payload(pdf: bool, lines: list[str]) -> tuple[bytes, str, str]:
    """(content, media type, extension); the text is what extraction would find."""
    if pdf:
        return samples.make_pdf(lines), "application/pdf", "pdf"
    return ("\n".join(lines) + "\n").encode(), "text/plain", "txt"


def generate_documents(
    writer: Writer,
    files: FileWriter,
    rng: random.Random,
    group: GroupPeople,
    *,
    count: int,
    agenda_items: list[int],
    start: datetime,
    days: int,
) -> list[int]:
    documents, versions, stored = [], [], []
    uploaders = group.delegates + group.coordinators
    ids = []
    for i in range(count):
        document_id = writer.ids.take(Document.__table__)
        ids.append(document_id)
        kind = rng.choice(list(KIND_WORDS))
        topic = rng.choice(TOPICS)
        created = start + timedelta(days=rng.randrange(days), minutes=rng.randrange(1440))
        title = f"{KIND_WORDS[kind]}: {topic} ({created.year}, {group.slug}/{i + 1})"
        description = f"Submitted by a delegation on {topic}." if i % 3 else ""
        deleted = i % 97 == 13
        documents.append(
            {
                "id": document_id,
                "group_id": group.id,
                "title": title,
                "description": description,
                "kind": kind,
                "visibility": rng.choice(VISIBILITIES),
                "agenda_item_id": rng.choice(agenda_items)
                if agenda_items and rng.random() < 0.3
                else None,
                "created_by_id": rng.choice(uploaders).id,
                "created_at": created,
                "updated_at": created,
                "deleted_at": created + timedelta(days=2) if deleted else None,
                "deleted_by_id": group.coordinators[0].id if deleted else None,
                "purged_at": None,
            }
        )
        for number in range(1, rng.choice([1, 1, 2, 2, 3]) + 1):
            language = "en" if number == 1 else rng.choice(LANGUAGES)
            lines = [title, f"{topic.capitalize()}: version {number} in {language}.", f"{i}"]
            data, media_type, extension = _payload((i + number) % 5 == 0, lines)
            sha = files.put(data)
            filename = f"{group.slug}-{i + 1:04d}-v{number}-{language}.{extension}"
            text = "\n".join(lines)
            stored.append({"sha256": sha, "size": len(data), "created_at": created})
            versions.append(
                {
                    "id": writer.ids.take(DocumentVersion.__table__),
                    "document_id": document_id,
                    "number": number,
                    "language": language,
                    "filename": filename,
                    "size": len(data),
                    "sha256": sha,
                    "media_type": media_type,
                    "uploaded_by_id": rng.choice(uploaders).id,
                    "uploaded_at": created + timedelta(days=number - 1),
                    "text": text,
                }
            )
    writer.insert(Document.__table__, documents)
    known = set(
        db.session.scalars(
            sa.select(StoredFile.sha256).where(StoredFile.sha256.in_({s["sha256"] for s in stored}))
        )
    )
    fresh = {s["sha256"]: s for s in stored if s["sha256"] not in known}
    writer.insert(StoredFile.__table__, list(fresh.values()))
    writer.insert(DocumentVersion.__table__, versions)
    return ids
