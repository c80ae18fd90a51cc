"""Reads for the library pages, each a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from konsey.documents import symbols
from konsey.extensions import db
from konsey.models import (
    AgendaItem,
    Document,
    DocumentKind,
    DocumentVersion,
    Meeting,
    MemberState,
    User,
    WorkingGroup,
)
from konsey.pagination import Paged
from konsey.policy import DocumentAudience

SORTS = ("date", "title")


@dataclass
class LibraryFilter:
    kind: str | None = None
    language: str | None = None
    meeting: int | None = None
    agenda_item: int | None = None
    state: str | None = None  # ISO code of the uploader's member state
    sort: str = "date"
    superseded: bool = False  # also list documents a newer revision replaces

    @classmethod
    def from_args(cls, args) -> LibraryFilter:
        """From a query string; values that mean nothing are ignored."""

        def number(name):
            value = args.get(name, "")
            return int(value) if value.isdigit() and len(value) < 10 else None

        kind = args.get("kind", "")
        return cls(
            kind=kind if kind in DocumentKind._value2member_map_ else None,
            language=(args.get("language", "")[:8].lower() or None),
            meeting=number("meeting"),
            agenda_item=number("agenda_item"),
            state=(args.get("state", "")[:2].upper() or None),
            sort=args.get("sort") if args.get("sort") in SORTS else "date",
            superseded=args.get("superseded") == "1",
        )


def with_details(query):
    """Who made it, where it is linked, its versions: one query. (The versions
    are joined in: selectinload would take one more query per 500 documents.)"""
    return query.options(
        joinedload(Document.created_by),
        joinedload(Document.agenda_item).joinedload(AgendaItem.meeting),
        joinedload(Document.versions).joinedload(DocumentVersion.uploaded_by),
        # The coordinators' translation statuses (documents.translations), joined in
        # too: at most one row per official language, so a page stays one query.
        joinedload(Document.translations),
    )


@dataclass(kw_only=True)
class LibraryPage(Paged):
    documents: list[Document]


def library(group: WorkingGroup, audience: DocumentAudience, f: LibraryFilter) -> list[Document]:
    """The group's documents this audience may read, filtered and sorted (all of them)."""
    return list(db.session.scalars(with_details(_library_query(group, audience, f))).unique())


def library_page(
    group: WorkingGroup,
    audience: DocumentAudience,
    f: LibraryFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> LibraryPage:
    """One page of ``library``: two queries (the count, the page) whatever the
    size of the library, and a page that renders in constant time."""
    query = _library_query(group, audience, f)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, min(page, -(-(total or 0) // per_page) or 1))
    # With a LIMIT, SQLAlchemy joins the versions to the page, not to the library.
    paged = query.limit(per_page).offset((page - 1) * per_page)
    documents = db.session.scalars(with_details(paged)).unique()
    return LibraryPage(documents=list(documents), total=total or 0, page=page, per_page=per_page)


def _library_query(group: WorkingGroup, audience: DocumentAudience, f: LibraryFilter):
    query = select(Document).where(Document.group_id == group.id, audience.condition())
    if not f.superseded:
        query = query.where(~symbols.superseded(audience))
    if f.kind:
        query = query.where(Document.kind == DocumentKind(f.kind))
    if f.language:
        query = query.where(
            exists().where(
                DocumentVersion.document_id == Document.id, DocumentVersion.language == f.language
            )
        )
    if f.agenda_item:
        query = query.where(Document.agenda_item_id == f.agenda_item)
    elif f.meeting:
        query = query.where(
            Document.agenda_item_id.in_(
                select(AgendaItem.id).where(AgendaItem.meeting_id == f.meeting)
            )
        )
    if f.state:
        query = query.where(
            Document.created_by_id.in_(
                select(User.id).join(User.member_state).where(MemberState.code == f.state)
            )
        )
    if f.sort == "title":
        query = query.order_by(Document.title, Document.id)
    else:
        query = query.order_by(Document.created_at.desc(), Document.id.desc())
    return query


def deleted(group: WorkingGroup) -> list[Document]:
    query = (
        select(Document)
        .where(
            Document.group_id == group.id,
            Document.deleted_at.is_not(None),
            Document.purged_at.is_(None),
        )
        .options(joinedload(Document.deleted_by))
        .order_by(Document.deleted_at.desc())
    )
    return list(db.session.scalars(with_details(query)).unique())


def get_document(
    group: WorkingGroup | None,
    document_id: int,
    *,
    deleted=False,
    audience: DocumentAudience | None = None,
):
    """The document (404 → None) when it is in ``group`` (if given), is not
    purged, and is not deleted (unless ``deleted``). With ``audience``, the same
    query also answers the policy's "may this audience read it?"."""
    query = with_details(select(Document).where(Document.id == document_id))
    if audience is not None:
        document = audience.load(query)
    else:
        document = db.session.scalars(query).unique().one_or_none()
    if document is None or document.purged_at is not None:
        return None
    if group is not None and document.group_id != group.id:
        return None
    if document.is_deleted and not deleted:
        return None
    return document


def get_version(document: Document, number: int) -> DocumentVersion | None:
    return next((v for v in document.versions if v.number == number), None)


@dataclass
class FilterChoices:
    meetings: list[Meeting]
    agenda_items: list[AgendaItem]


# Agenda items offered by the library's filter when no meeting is chosen: those of
# the meetings around today (a group has hundreds of items over the years).
RECENT_PAST_MEETINGS = 2
UPCOMING_MEETINGS = 1


def filter_choices(group: WorkingGroup, f: LibraryFilter, now: datetime) -> FilterChoices:
    """The meeting and agenda-item options of the library's filter; two queries.

    Every meeting of the group is offered (a few a year); agenda items only of
    the chosen meeting, or else of the meetings nearest to ``now``, plus the
    item already chosen, so the list stays short whatever the group's history.
    """
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.group_id == group.id)
            .order_by(Meeting.starts_at.desc().nulls_first(), Meeting.id.desc())
        )
    )
    if f.meeting:
        shown = {f.meeting}
    else:
        past = [m for m in meetings if m.starts_at is not None and m.starts_at <= now]
        upcoming = [m for m in meetings if m.starts_at is not None and m.starts_at > now]
        shown = {m.id for m in past[:RECENT_PAST_MEETINGS]}
        shown |= {m.id for m in upcoming[-UPCOMING_MEETINGS:]}
    wanted = AgendaItem.meeting_id.in_(shown)
    if f.agenda_item:
        wanted = or_(wanted, AgendaItem.id == f.agenda_item)
    items = db.session.scalars(
        select(AgendaItem)
        .join(AgendaItem.meeting)
        .where(Meeting.group_id == group.id, wanted)
        .options(contains_eager(AgendaItem.meeting))
        .order_by(Meeting.starts_at.desc().nulls_first(), Meeting.id.desc(), AgendaItem.position)
    )
    return FilterChoices(meetings=meetings, agenda_items=list(items))


def agenda_items(group: WorkingGroup) -> list[AgendaItem]:
    """Agenda items of the group's meetings, newest meeting first (one query)."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .join(AgendaItem.meeting)
            .where(Meeting.group_id == group.id)
            .options(joinedload(AgendaItem.meeting))
            .order_by(Meeting.starts_at.desc().nulls_last(), Meeting.id.desc(), AgendaItem.position)
        )
    )


def uploader_states(group: WorkingGroup) -> list[MemberState]:
    """Member states whose people uploaded to this library (for the filter)."""
    return list(
        db.session.scalars(
            select(MemberState)
            .where(
                MemberState.id.in_(
                    select(User.member_state_id)
                    .join(Document, Document.created_by_id == User.id)
                    .where(Document.group_id == group.id)
                )
            )
            .order_by(MemberState.name)
        )
    )
