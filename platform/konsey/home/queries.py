"""What needs the user, across all their groups: a fixed number of queries
whatever the number of groups, meetings, minutes, actions or documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, union_all
from sqlalchemy.orm import joinedload

from konsey import policy
from konsey.actions.overdue import Clock
from konsey.actions.queries import ActionFilter, list_actions
from konsey.documents import embargo
from konsey.extensions import db
from konsey.meetings.queries import registered_ids
from konsey.minutes.queries import latest_versions
from konsey.models import (
    PENDING_STATUSES,
    AuditEvent,
    Document,
    DocumentVersion,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    Role,
    User,
    WorkingGroup,
)
from konsey.models.base import utcnow

DUE_SOON_DAYS = 14
# "New documents" for someone with no earlier login: the last fortnight.
FIRST_VISIT_WINDOW = timedelta(days=14)
LIMIT = 20  # rows per section; each section links to its full list


@dataclass
class AwaitingMinutes:
    minutes: Minutes
    meeting: Meeting
    version: int


@dataclass
class NewDocument:
    document: Document
    latest_upload: datetime
    is_new: bool  # created since, not only a new version


@dataclass
class Home:
    since: datetime
    first_visit: bool
    meetings: list[Meeting] = field(default_factory=list)
    registered: set[int] = field(default_factory=set)
    to_position: list[AwaitingMinutes] = field(default_factory=list)
    to_sign: list[AwaitingMinutes] = field(default_factory=list)
    overdue: list = field(default_factory=list)  # (ActionItem, True)
    due_soon: list = field(default_factory=list)  # (ActionItem, False)
    pending_total: int = 0
    # Overdue items of any owner in the groups the user coordinates (to chase).
    to_chase: list = field(default_factory=list)
    documents: list[NewDocument] = field(default_factory=list)
    group_count: int = 0
    # From the one "needs you" rule the digest uses (konsey.notifications.needs).
    reservations: list = field(default_factory=list)  # Need("reservation")
    acknowledge: list = field(default_factory=list)  # Need("acknowledge")
    needs_count: int = 0
    # Assigned to the user or their state since the previous visit, whatever the due date.
    new_for_you: list = field(default_factory=list)  # (ActionItem, overdue?)

    @property
    def later_total(self) -> int:
        """Pending actions of mine due after the window (not listed here)."""
        return max(self.pending_total - len(self.overdue) - len(self.due_soon), 0)

    @property
    def nothing(self) -> bool:
        return not (
            self.meetings
            or self.to_position
            or self.to_sign
            or self.overdue
            or self.due_soon
            or self.documents
            or self.to_chase
            or self.reservations
            or self.acknowledge
            or self.new_for_you
        )


def previous_login(user: User) -> datetime | None:
    """When the user logged in before the current session's login.

    Read from the append-only audit log ("user.login" events), so no column
    is needed and the answer is the same on every device; the newest event
    is this session's own login.
    """
    rows = db.session.scalars(
        select(AuditEvent.created_at)
        .where(AuditEvent.actor_id == user.id, AuditEvent.action == "user.login")
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(2)
    ).all()
    return rows[1] if len(rows) > 1 else None


def _group_ids(user: User, roles: dict[int, Role]) -> list[int] | None:
    """The groups the home page covers; None means every group (an admin
    who sits in none still oversees them all)."""
    if user.is_admin and not roles:
        return None
    return sorted(roles)


def _in_groups(column, group_ids):
    return column.in_(group_ids) if group_ids is not None else True


def upcoming_meetings(group_ids, now: datetime) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                _in_groups(Meeting.group_id, group_ids),
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.ends_at >= now,
            )
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(LIMIT)
            .options(joinedload(Meeting.group))
        )
    )


def minutes_awaiting_position(user: User, roles: dict[int, Role]) -> list[AwaitingMinutes]:
    """Circulated minutes, in groups where the user sits in their member
    state's delegation, on whose current version that state has said nothing."""
    state = user.member_state
    groups = [g for g, r in roles.items() if r in policy.DELEGATION_ROLES]
    if state is None or not state.is_member or not groups:
        return []
    current = latest_versions()
    rows = db.session.execute(
        select(Minutes, Meeting, current.c.number)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(current, current.c.minutes_id == Minutes.id)
        .join(
            MinutesVersion,
            and_(
                MinutesVersion.minutes_id == Minutes.id,
                MinutesVersion.number == current.c.number,
            ),
        )
        .outerjoin(
            MinutesPosition,
            and_(
                MinutesPosition.version_id == MinutesVersion.id,
                MinutesPosition.member_state_id == state.id,
            ),
        )
        .where(
            Minutes.status == MinutesStatus.CIRCULATED,
            Meeting.group_id.in_(groups),
            MinutesPosition.id.is_(None),
        )
        .order_by(Minutes.comment_deadline.is_(None), Minutes.comment_deadline, Minutes.id)
        .limit(LIMIT)
        .options(joinedload(Meeting.group))
    ).all()
    return [AwaitingMinutes(minutes=m, meeting=mt, version=n) for m, mt, n in rows]


def minutes_awaiting_signature(user: User, roles: dict[int, Role]) -> list[AwaitingMinutes]:
    """Agreed minutes the user may sign (the same rule as MINUTES_SIGN)."""
    if user.is_admin:
        groups = None
    else:
        groups = [g for g, r in roles.items() if r == Role.COORDINATOR or user.is_signatory]
        if not groups:
            return []
    current = latest_versions()
    rows = db.session.execute(
        select(Minutes, Meeting, current.c.number)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(current, current.c.minutes_id == Minutes.id)
        .where(Minutes.status == MinutesStatus.AGREED, _in_groups(Meeting.group_id, groups))
        .order_by(Minutes.agreed_at, Minutes.id)
        .limit(LIMIT)
        .options(joinedload(Meeting.group))
    ).all()
    return [AwaitingMinutes(minutes=m, meeting=mt, version=n) for m, mt, n in rows]


def new_documents(user: User, group_ids, since: datetime) -> list[NewDocument]:
    """Documents the user may read with a file uploaded since ``since``
    (a new document or a new version), newest first."""
    uploads = select(
        DocumentVersion.document_id.label("document_id"),
        DocumentVersion.uploaded_at.label("at"),
    ).where(DocumentVersion.uploaded_at > since)
    # A document released from its embargo since then is new to its audience.
    now = utcnow()
    combined = union_all(uploads, embargo.released_since(since, now)).subquery()
    latest = (
        select(combined.c.document_id, func.max(combined.c.at).label("latest"))
        .group_by(combined.c.document_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Document, latest.c.latest)
        .join(latest, latest.c.document_id == Document.id)
        .where(
            policy.DocumentAudience.of(user).condition(),
            _in_groups(Document.group_id, group_ids),
        )
        .order_by(latest.c.latest.desc(), Document.id.desc())
        .limit(LIMIT)
        .options(joinedload(Document.group))
    ).all()
    return [
        NewDocument(
            document=d,
            latest_upload=at,
            is_new=d.created_at > since or embargo.released_between(d, since, now),
        )
        for d, at in rows
    ]


def home_for(user: User, now: datetime) -> Home:
    roles = policy.roles_by_group(user)
    group_ids = _group_ids(user, roles)
    earlier = previous_login(user)
    since = earlier or now - FIRST_VISIT_WINDOW
    home = Home(since=since, first_visit=earlier is None)
    home.group_count = len(roles) if group_ids is not None else _all_groups_count()
    home.meetings = upcoming_meetings(group_ids, now)
    home.registered = registered_ids(user, home.meetings)
    home.to_position = minutes_awaiting_position(user, roles)
    home.to_sign = minutes_awaiting_signature(user, roles)
    clock = Clock.load(now)
    if group_ids is not None:  # an admin outside every group owes nothing
        _my_actions(home, user, clock)
    coordinated = [g for g, r in roles.items() if r == Role.COORDINATOR]
    if coordinated:
        chase = ActionFilter(group_ids=coordinated, overdue=True)
        home.to_chase = list_actions(user, chase, clock, per_page=LIMIT).rows
    home.documents = new_documents(user, group_ids, since)
    needs = needs_of(user, roles, now)
    home.reservations = [n for n in needs if n.kind == "reservation"]
    home.acknowledge = [n for n in needs if n.kind == "acknowledge"]
    home.needs_count = len(needs)
    if group_ids is not None:
        fresh = ActionFilter(mine_for=user, statuses=list(PENDING_STATUSES), created_after=since)
        home.new_for_you = list_actions(user, fresh, clock, per_page=LIMIT).rows
    return home


def needs_of(user: User, roles: dict[int, Role], now: datetime) -> list:
    """What needs the user now, by the digest's own rule: positions awaited,
    actions overdue or due within 14 days, reports to acknowledge,
    reservations and minutes to sign (one query per kind)."""
    from konsey.notifications import needs

    if not roles:
        return []
    return needs.for_user(needs.load([user], {user.id: roles}, now), user, roles)


def needs_count(user: User, now: datetime) -> int:
    """The header's "N need you" on every page."""
    return len(needs_of(user, policy.roles_by_group(user), now))


def _my_actions(home: Home, user: User, clock: Clock) -> None:
    """Owed by the user or their state: overdue (the SQL rule of
    konsey.actions.overdue), due within the window, and how many are pending."""

    def rows(**conditions):
        f = ActionFilter(mine_for=user, **conditions)
        return list_actions(user, f, clock, per_page=LIMIT)

    home.overdue = rows(overdue=True).rows
    home.due_soon = rows(due_within=DUE_SOON_DAYS).rows
    pending = ActionFilter(mine_for=user, statuses=list(PENDING_STATUSES))
    home.pending_total = list_actions(user, pending, clock, per_page=1).total


def _all_groups_count() -> int:
    return db.session.scalar(select(func.count(WorkingGroup.id))) or 0
