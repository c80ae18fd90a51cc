"""Demo: the groups' symbol patterns, symbols on the official documents, one revision."""

from __future__ import annotations

import io
from collections import Counter

from sqlalchemy import select

from konsey import audit
from konsey.documents import lineage, samples
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.models import Document, WorkingGroup
from konsey.models.documents import OFFICIAL_KINDS, Relation

DEMO_ACTOR = audit.Actor(user=None, ip="cli")
PATTERNS = {
    "cyber-security": "TC/ICT/CS/{year}/{n}",
    "tasim-fibre": "TC/ICT/TASIM/{year}/{n}",
    "satellite-services": "TC/ICT/SAT/{year}/{n}",
    "e-government": "TC/ICT/EGOV/{year}/{n}",
    "ict-ministers": "TC/ICT/MIN/{year}/{n}",
}
REVISED = ("cyber-security", "Cyber Security: working paper")


def load_symbols(created: Counter) -> None:
    """Idempotent: a pattern is set only where a group has none; documents
    keep the symbols they have; the revision is made once."""
    groups = {g.slug: g for g in db.session.scalars(select(WorkingGroup))}
    for slug, pattern in PATTERNS.items():
        group = groups.get(slug)
        if group is not None and group.symbol_pattern is None:
            group.symbol_pattern = pattern
            audit.record(
                DEMO_ACTOR, "group.update", group, changed={"symbol_pattern": [None, pattern]}
            )
            created["symbol_patterns"] += 1
    db.session.flush()
    unnumbered = db.session.scalars(
        select(Document)
        .join(Document.group)
        .where(
            Document.symbol.is_(None),
            Document.kind.in_(list(OFFICIAL_KINDS)),
            WorkingGroup.symbol_pattern.is_not(None),
        )
        .order_by(Document.created_at, Document.id)
    ).all()
    for document in unnumbered:
        if lineage.number_existing(DEMO_ACTOR, document):
            created["symbols"] += 1
    _revision(groups.get(REVISED[0]), created)


def _revision(group: WorkingGroup | None, created: Counter) -> None:
    if group is None:
        return
    paper = db.session.scalar(
        select(Document).where(
            Document.group_id == group.id,
            Document.title == REVISED[1],
            Document.parent_id.is_(None),
        )
    )
    if paper is None or paper.symbol is None:
        return
    exists = db.session.scalar(
        select(Document.id).where(
            Document.parent_id == paper.id, Document.relation == Relation.REVISION
        )
    )
    if exists is not None:
        return
    lines = [REVISED[1], "Revision 1: comments of the delegations taken in.", "Proposals, 2017."]
    lineage.create(
        DEMO_ACTOR,
        paper,
        Upload(io.BytesIO(samples.make_pdf(lines)), "working-paper-rev1.pdf"),
        relation=Relation.REVISION,
        language="en",
        description="Revised after the comments of the delegations.",
    )
    created["revisions"] += 1
