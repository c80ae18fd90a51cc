"""Revisions, addenda and corrigenda: creating them, and a document's family.

The rules of their symbols are in konsey.documents.symbols; a new lineage
document is uploaded through ``services.create_documents``, so it is written,
numbered, indexed and audited in one transaction like any other upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

from konsey import audit
from konsey.documents import services, symbols
from konsey.extensions import db
from konsey.models import Document
from konsey.models.documents import Relation
from konsey.policy import DocumentAudience


def create(
    actor: audit.Actor,
    parent: Document,
    upload: services.Upload | None,
    *,
    relation,
    language,
    title: str | None = None,
    description: str | None = "",
) -> Document:
    """A revision (``…/Rev.N``), addendum (``…/Add.N``) or corrigendum
    (``…/Corr.N``) of ``parent``, with its own file. It takes the parent's
    group, kind, audience and agenda item; the title defaults to the parent's.
    Refused (409, with why) when the parent has no symbol or is deleted."""
    relation = symbols.check_relation(relation)
    symbols.check_lineage(parent, relation)
    [document] = services.create_documents(
        actor,
        parent.group,
        [upload] if upload is not None else [],
        title=(title or "").strip() or parent.title,
        description=description,
        kind=parent.kind,
        language=language,
        visibility=parent.visibility,
        agenda_item=parent.agenda_item_id,
        lineage=symbols.Lineage(parent, relation),
    )
    return document


@dataclass
class Family:
    """What a document's page says about its lineage, for one reader."""

    parent: Document | None = None  # what this one revises, adds to or corrects
    superseded_by: Document | None = None  # the newest revision that replaces it
    revisions: list[Document] = field(default_factory=list)  # of the same original
    addenda: list[Document] = field(default_factory=list)
    corrigenda: list[Document] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.parent or self.revisions or self.addenda or self.corrigenda)


def family(document: Document, audience: DocumentAudience) -> Family:
    """The document's readable relatives (one query): its parent, the revisions
    of its original, its own addenda and corrigenda."""
    result = Family()
    root_id = document.parent_id if document.relation == Relation.REVISION else document.id
    wanted = [Document.parent_id == document.id]
    if root_id is not None:
        wanted += [Document.parent_id == root_id, Document.id == root_id]
    if document.parent_id is not None:
        wanted.append(Document.id == document.parent_id)
    relatives = db.session.scalars(
        select(Document)
        .where(or_(*wanted), Document.id != document.id, audience.condition())
        .order_by(Document.relation_number, Document.id)
    ).all()
    for relative in relatives:
        if relative.id == document.parent_id:
            result.parent = relative
        if relative.parent_id == root_id and relative.relation == Relation.REVISION:
            result.revisions.append(relative)
        if relative.parent_id == document.id and relative.relation == Relation.ADDENDUM:
            result.addenda.append(relative)
        if relative.parent_id == document.id and relative.relation == Relation.CORRIGENDUM:
            result.corrigenda.append(relative)
    mine = document.relation_number if document.relation == Relation.REVISION else 0
    newer = [r for r in result.revisions if (r.relation_number or 0) > (mine or 0)]
    result.superseded_by = newer[-1] if newer else None
    return result


def number_existing(actor: audit.Actor, document: Document) -> bool:
    """Give an official document uploaded before its group had a pattern its
    symbol now (by its upload's year and agenda item), through the same counters.
    False when it has one already or gets none. The caller commits."""
    if document.symbol is not None:
        return False
    symbols.assign(document, at=document.created_at)
    if document.symbol is None:
        return False
    db.session.flush()
    audit.record(
        actor, "document.symbol", document, group_id=document.group_id, symbol=document.symbol
    )
    return True
