"""Every access decision in Konsey: ``can(user, action, obj)``, and nowhere else.

Routes, API endpoints and templates ask this module; services assume the
caller has asked. The authorization-matrix test walks every route for every
role against these rules.
"""

from __future__ import annotations

import enum
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context, request
from sqlalchemy import and_, event, or_, select, true
from sqlalchemy.orm import Session

from konsey.extensions import db
from konsey.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Delegation,
    Document,
    Meeting,
    MeetingParticipant,
    MeetingStatus,
    Membership,
    Minutes,
    MinutesStatus,
    Role,
    User,
    Visibility,
    WorkingGroup,
)
from konsey.models.base import utcnow


class Action(enum.StrEnum):
    # The council: anyone logged in sees which groups exist.
    GROUP_LIST = "group.list"
    # Inside a group: home page, roster, meetings, agendas, minutes once circulated.
    GROUP_VIEW = "group.view"
    # Add/remove members, change roles.
    ROSTER_MANAGE = "roster.manage"
    # Create, edit, cancel meetings; agenda; record attendance.
    MEETING_MANAGE = "meeting.manage"
    # Say "I will attend" an upcoming meeting (obj: Meeting).
    MEETING_REGISTER = "meeting.register"
    # Put people on a meeting's list of participants, edit and remove entries,
    # record their accreditation (obj: Meeting — may register anyone at all;
    # Delegation or MeetingParticipant — that member state's delegation).
    # Coordinators: every delegation, the secretariat, observer states; the head
    # of delegation: their own state's, while the meeting is planned.
    PARTICIPANT_REGISTER = "participant.register"
    # Confirm entries of the list of participants (obj: Meeting).
    PARTICIPANT_CONFIRM = "participant.confirm"
    # Record who attended (obj: Meeting; whether it has begun is the service's rule).
    PARTICIPANT_ATTENDANCE = "participant.attendance"
    # Read the minutes record; drafts only for those who write them (obj: Minutes).
    MINUTES_VIEW = "minutes.view"
    # Draft versions, circulate, mark decisions (obj: Minutes).
    MINUTES_EDIT = "minutes.edit"
    # Comment on a circulated version (obj: Minutes).
    MINUTES_COMMENT = "minutes.comment"
    # Record the member state's agree / reservation (obj: Minutes).
    MINUTES_POSITION = "minutes.position"
    # Sign agreed minutes (obj: Minutes).
    MINUTES_SIGN = "minutes.sign"
    # Secretariat IT: member states, users, groups, audit log, outbox.
    ADMINISTER = "administer"
    # Read an action item and its history (obj: ActionItem).
    ACTION_VIEW = "action.view"
    # Create action items; cancel and reopen them (obj: group or ActionItem).
    ACTION_MANAGE = "action.manage"
    # Record progress on an item: status, comment, evidence (obj: ActionItem).
    ACTION_UPDATE = "action.update"
    # The council-wide matrix of member states × groups (the secretariat).
    ACTION_COUNCIL = "action.council"
    # Read a document and download its files, by its visibility (obj: Document).
    DOCUMENT_VIEW = "document.view"
    # Upload documents to the group's library (obj: group).
    DOCUMENT_UPLOAD = "document.upload"
    # Upload a new version or language version (obj: Document).
    DOCUMENT_VERSION = "document.version"
    # Create a revision, addendum or corrigendum of a document with a symbol
    # (obj: Document): whoever may upload new documents in its group.
    DOCUMENT_DERIVE = "document.derive"
    # Set a document's distribution, embargo and derestriction date (obj: Document).
    DOCUMENT_DISTRIBUTION = "document.distribution"
    # Soft-delete documents; see the deleted ones (obj: group or Document).
    DOCUMENT_DELETE = "document.delete"
    # Remove a deleted document's versions and files for good (obj: Document).
    DOCUMENT_PURGE = "document.purge"
    # Search every document one may read (results are filtered by DocumentAudience).
    DOCUMENT_SEARCH = "document.search"
    # Set a document's translation status per official language: requested (with
    # a due date), in translation, not planned (obj: Document). Coordinators.
    TRANSLATION_MANAGE = "translation.manage"
    # Search everything one may read (results are filtered by DocumentAudience
    # and RecordAudience, in the query itself).
    SEARCH = "search"


DELEGATION_ROLES = (Role.HEAD, Role.DELEGATE, Role.EXPERT)


def _is_user(user) -> bool:
    return isinstance(user, User) and user.is_active


# A page asks about the same user's roles many times (the route's check, the
# navigation, the template's buttons): within one request they are read once.
# The memo lives on the request (never on a longer-lived app context, so no
# worker or CLI run sees stale roles) and is dropped whenever memberships or
# documents are written or a transaction is rolled back.
_MEMO = "_konsey_policy_memo"


def _memo() -> dict | None:
    if not has_request_context():
        return None
    owner = request._get_current_object()
    memo = g.get(_MEMO)
    if memo is None or memo[0] is not owner:
        memo = (owner, {})
        setattr(g, _MEMO, memo)
    return memo[1]


def forget() -> None:
    """Drop what this request remembers about roles and readable documents."""
    if has_request_context() and g.get(_MEMO) is not None:
        g.pop(_MEMO)


@event.listens_for(Session, "after_flush")
def _forget_on_write(session, _context):
    changed = session.new | session.dirty | session.deleted
    if any(isinstance(obj, Membership | Document) for obj in changed):
        forget()


@event.listens_for(Session, "after_bulk_update")
@event.listens_for(Session, "after_bulk_delete")
@event.listens_for(Session, "after_soft_rollback")
def _forget_on_bulk_write_or_rollback(*_args):
    forget()


def role_in(user, group: WorkingGroup) -> Role | None:
    """The user's role in the group, or None when not a member."""
    if not _is_user(user):
        return None
    return roles_by_group(user).get(group.id)


def roles_by_group(user) -> dict[int, Role]:
    """All of the user's roles in one query (once per request)."""
    if not _is_user(user):
        return {}
    memo = _memo()
    key = ("roles", user.id)
    if memo is not None and key in memo:
        return dict(memo[key])
    rows = db.session.execute(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user.id)
    )
    roles = {row.group_id: row.role for row in rows}
    if memo is not None:
        memo[key] = roles
    return dict(roles)


def _group_of(obj) -> WorkingGroup:
    if isinstance(obj, WorkingGroup):
        return obj
    if isinstance(obj, Meeting):
        return obj.group
    if isinstance(obj, Minutes | Delegation | MeetingParticipant):
        return obj.meeting.group
    if isinstance(obj, ActionItem):
        return obj.group
    if isinstance(obj, Document):
        return obj.group
    raise TypeError(f"no working group for {obj!r}")


_UNKNOWN = object()
_GROUP_ACTIONS = {
    Action.GROUP_VIEW,
    Action.ROSTER_MANAGE,
    Action.MEETING_MANAGE,
    Action.MEETING_REGISTER,
    Action.PARTICIPANT_REGISTER,
    Action.PARTICIPANT_CONFIRM,
    Action.PARTICIPANT_ATTENDANCE,
    Action.MINUTES_VIEW,
    Action.MINUTES_EDIT,
    Action.MINUTES_COMMENT,
    Action.MINUTES_POSITION,
    Action.MINUTES_SIGN,
    Action.ACTION_VIEW,
    Action.ACTION_MANAGE,
    Action.ACTION_UPDATE,
    Action.DOCUMENT_UPLOAD,
    Action.DOCUMENT_VERSION,
    Action.DOCUMENT_DERIVE,
    Action.DOCUMENT_DELETE,
    Action.TRANSLATION_MANAGE,
    Action.DOCUMENT_DISTRIBUTION,
}


def can(user, action: Action, obj=None, *, role=_UNKNOWN) -> bool:
    """May ``user`` do ``action`` (on ``obj``)?

    ``role`` (a Role, or None for "not a member") may be passed when the
    caller already knows the user's role in the object's group, to save a
    query on list pages.
    """
    if not _is_user(user):
        return False
    if action == Action.GROUP_LIST:
        return True
    if action == Action.ADMINISTER:
        return user.is_admin
    if action == Action.ACTION_COUNCIL:
        return user.is_admin or _coordinates_any_group(user)
    if action in (Action.DOCUMENT_SEARCH, Action.SEARCH):
        return True
    if action == Action.DOCUMENT_VIEW:
        return DocumentAudience.of(user).may_read(obj)
    if action == Action.DOCUMENT_PURGE:
        # Whether the document is deleted yet is the service's check (409 with a reason).
        return user.is_admin
    if action == Action.DOCUMENT_DERIVE and not DocumentAudience.of(user).may_read(obj):
        return False  # a revision of what one may not read: never
    if action not in _GROUP_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    group = _group_of(obj)
    if role is _UNKNOWN:
        role = role_in(user, group)
    if user.is_admin:
        return _admin_may(action, obj)
    if role is None:
        return False
    return _member_may(user, role, action, obj)


def _admin_may(action: Action, obj) -> bool:
    # Admins may do what a coordinator may; a position belongs to a state's head.
    if action in (Action.MINUTES_POSITION, Action.MINUTES_COMMENT, Action.MEETING_REGISTER):
        return False
    return _state_allows(action, obj)


def _member_may(user: User, role: Role, action: Action, obj) -> bool:
    coordinator = role == Role.COORDINATOR
    if action == Action.GROUP_VIEW:
        return True
    if action in (Action.ROSTER_MANAGE, Action.MEETING_MANAGE, Action.MINUTES_EDIT):
        return coordinator and _state_allows(action, obj)
    if action == Action.MEETING_REGISTER:
        return role in DELEGATION_ROLES and _state_allows(action, obj)
    if action == Action.PARTICIPANT_REGISTER:
        if coordinator:
            return _state_allows(action, obj)
        return _heads_delegation(user, role, obj) and _state_allows(action, obj)
    if action in (Action.PARTICIPANT_CONFIRM, Action.PARTICIPANT_ATTENDANCE):
        return coordinator and _state_allows(action, obj)
    if action == Action.MINUTES_VIEW:
        return coordinator or user.is_signatory or obj.status != MinutesStatus.DRAFT
    if action == Action.MINUTES_COMMENT:
        return role in DELEGATION_ROLES and _is_member_state(user) and _state_allows(action, obj)
    if action == Action.MINUTES_POSITION:
        return role == Role.HEAD and _is_member_state(user) and _state_allows(action, obj)
    if action == Action.MINUTES_SIGN:
        return (coordinator or user.is_signatory) and _state_allows(action, obj)
    if action == Action.ACTION_VIEW:
        return True
    if action == Action.ACTION_MANAGE:
        return coordinator
    if action == Action.ACTION_UPDATE:
        return coordinator or _owes(user, role, obj)
    if action in (Action.DOCUMENT_UPLOAD, Action.DOCUMENT_VERSION, Action.DOCUMENT_DERIVE):
        # Observers never write.
        return (coordinator or role in DELEGATION_ROLES) and _state_allows(action, obj)
    if action in (
        Action.DOCUMENT_DELETE,
        Action.TRANSLATION_MANAGE,
        Action.DOCUMENT_DISTRIBUTION,
    ):
        return coordinator and _state_allows(action, obj)
    return False


def _owes(user: User, role: Role, item: ActionItem) -> bool:
    """The named person, or anyone in the owing member state's delegation.

    Observers never write, even if named. Whether the item's status still
    allows a change is the workflow's rule (konsey.actions.services).
    """
    if role == Role.OBSERVER:
        return False
    if item.assignee_id is not None and item.assignee_id == user.id:
        return True
    return (
        role in DELEGATION_ROLES
        and item.owner_state_id is not None
        and item.owner_state_id == user.member_state_id
    )


def _heads_delegation(user: User, role: Role, obj) -> bool:
    """The head of delegation, for their own state's entries of a planned meeting
    (a Meeting asks whether they may register anyone: their own state's)."""
    if role != Role.HEAD or user.member_state_id is None:
        return False
    meeting = obj if isinstance(obj, Meeting) else obj.meeting
    if meeting.status != MeetingStatus.PLANNED:
        return False
    if isinstance(obj, Meeting):
        return True
    return obj.member_state_id == user.member_state_id


def _coordinates_any_group(user: User) -> bool:
    return Role.COORDINATOR in roles_by_group(user).values()


def _is_member_state(user: User) -> bool:
    return user.member_state is not None and user.member_state.is_member


def linked_agenda_item(user, document: Document):
    """The agenda item a document is linked to, when ``user`` may open its
    meeting; None otherwise (a council-wide document must not name another
    group's meetings to those who may not see them)."""
    item = document.agenda_item
    if item is None or not can(user, Action.GROUP_VIEW, item.meeting):
        return None
    return item


def refused_only_by_state(user, action: Action, obj) -> bool:
    """Would the user's role allow ``action``, were it not for the object's
    state (e.g. signed minutes)? Routes then answer 409 with the reason
    instead of a bare 403."""
    if can(user, action, obj):
        return False
    token = _STATE_BLIND.set(True)
    try:
        return can(user, action, obj)
    finally:
        _STATE_BLIND.reset(token)


_STATE_BLIND: ContextVar[bool] = ContextVar("policy_state_blind", default=False)


def _state_allows(action: Action, obj) -> bool:
    """What the object's own state permits, whoever asks."""
    if _STATE_BLIND.get():
        return True
    if action == Action.MEETING_REGISTER:
        return isinstance(obj, Meeting) and obj.status == MeetingStatus.PLANNED
    if action in (
        Action.PARTICIPANT_REGISTER,
        Action.PARTICIPANT_CONFIRM,
        Action.PARTICIPANT_ATTENDANCE,
    ):
        meeting = obj if isinstance(obj, Meeting) else obj.meeting
        return meeting.status != MeetingStatus.CANCELLED
    if isinstance(obj, Minutes):
        if action == Action.MINUTES_EDIT:
            return obj.status in (MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
        if action in (Action.MINUTES_COMMENT, Action.MINUTES_POSITION):
            return obj.status == MinutesStatus.CIRCULATED
        if action == Action.MINUTES_SIGN:
            return obj.status == MinutesStatus.AGREED
    if isinstance(obj, Document):
        return not obj.is_deleted
    return True


# Documents ---------------------------------------------------------------------
def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def under_embargo(document: Document, now: datetime | None = None) -> bool:
    """Is the document still under its embargo at ``now``?"""
    return document.embargo_until is not None and document.embargo_until > _now(now)


@dataclass(frozen=True)
class DocumentAudience:
    """Which documents a user may read: the one rule behind DOCUMENT_VIEW, the
    library lists and search, written once as a SQL condition on Document.

    - ``group``: the group's coordinators and delegations (head, delegate,
      expert), not its observers;
    - ``council``: everyone holding a non-observer role in any group (every
      delegation and the secretariat's coordinators);
    - ``observers``: the council, plus the group's observers.
    Under embargo (``embargo_until`` still ahead), only the group's
    coordinators and the uploading delegation (the uploader's member state in
    that group) read it; at that instant it opens to its audience, whether the
    worker has marked it released yet or not. Admins read everything. A
    deleted document is nobody's to read.
    """

    everything: bool = False
    delegation_groups: frozenset[int] = frozenset()  # coordinator, head, delegate, expert
    member_groups: frozenset[int] = frozenset()  # any role, observers included
    coordinator_groups: frozenset[int] = frozenset()
    # (group id, member state id): the reader sits in that state's delegation there.
    delegations: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def of(cls, user) -> DocumentAudience:
        if not _is_user(user) or user.is_admin:
            return cls.from_roles(user, {})
        return cls.from_roles(user, roles_by_group(user))

    @classmethod
    def from_roles(cls, user, roles: dict[int, Role]) -> DocumentAudience:
        """The audience of ``user`` given their roles already read (a batch of
        digests reads every recipient's roles in one query)."""
        if not _is_user(user):
            return cls()
        if user.is_admin:
            return cls(everything=True)
        state = user.member_state_id
        return cls(
            delegation_groups=frozenset(g for g, r in roles.items() if r != Role.OBSERVER),
            member_groups=frozenset(roles),
            coordinator_groups=frozenset(g for g, r in roles.items() if r == Role.COORDINATOR),
            delegations=frozenset(
                (g, state) for g, r in roles.items() if r in DELEGATION_ROLES and state is not None
            ),
        )

    def _by_visibility(self, document: Document) -> bool:
        if document.visibility == Visibility.GROUP:
            return document.group_id in self.delegation_groups
        if self.delegation_groups:
            return document.visibility in (Visibility.COUNCIL, Visibility.OBSERVERS)
        return (
            document.visibility == Visibility.OBSERVERS and document.group_id in self.member_groups
        )

    def sees_under_embargo(self, document: Document) -> bool:
        """Among those who read the document while it is under embargo?"""
        return (
            self.everything
            or document.group_id in self.coordinator_groups
            or (document.group_id, document.origin_state_id) in self.delegations
        )

    def admits(self, document: Document, now: datetime | None = None) -> bool:
        """The rule of ``condition`` applied to a loaded document, for many
        readers and documents at once (digests); the unit tests hold the two
        to the same answers."""
        if document.deleted_at is not None:
            return False
        if self.everything:
            return True
        if not self._by_visibility(document):
            return False
        return not under_embargo(document, now) or self.sees_under_embargo(document)

    def admits_news(self, document: Document, action: str, happened_at: datetime) -> bool:
        """May this reader be told, now, of an event about the document?

        What happened under embargo (the upload, a new version) is news only
        to those who saw it then; the others learn of the document from its
        release (``document.release``), as if it were new at that instant, and
        those who saw it under embargo are not told of the release again."""
        if not self.admits(document):
            return False
        if action == "document.release":
            return not self.sees_under_embargo(document)
        embargoed_then = document.embargo_until is not None and happened_at < document.embargo_until
        return not embargoed_then or self.sees_under_embargo(document)

    def condition(self, now: datetime | None = None):
        """SQL: the documents this audience may read (at ``now``, by default the present)."""
        readable = Document.deleted_at.is_(None)
        if self.everything:
            return readable
        parts = [
            and_(
                Document.visibility == Visibility.GROUP,
                Document.group_id.in_(self.delegation_groups),
            )
        ]
        if self.delegation_groups:  # a delegate of the council
            parts.append(Document.visibility.in_([Visibility.COUNCIL, Visibility.OBSERVERS]))
        else:
            parts.append(
                and_(
                    Document.visibility == Visibility.OBSERVERS,
                    Document.group_id.in_(self.member_groups),
                )
            )
        released = [
            Document.embargo_until.is_(None),
            Document.embargo_until <= _now(now),
            Document.group_id.in_(self.coordinator_groups),
        ]
        released += [
            and_(Document.group_id == group_id, Document.origin_state_id == state_id)
            for group_id, state_id in sorted(self.delegations)
        ]
        return and_(readable, or_(*parts), or_(*released))

    def may_read(self, document: Document) -> bool:
        # Asked of the database with the very condition the lists use, so a
        # page and a list can never disagree.
        memo = _memo()
        key = ("readable", self, document.id)
        if memo is not None and key in memo:
            return memo[key]
        readable = (
            db.session.scalar(
                select(Document.id).where(Document.id == document.id, self.condition())
            )
            is not None
        )
        if memo is not None:
            memo[key] = readable
        return readable

    def load(self, query) -> Document | None:
        """Run ``query`` for one document and, in the same query, ask whether this
        audience may read it; ``may_read`` then answers from that within the
        request (a page or a download reads the document once, not twice)."""
        row = (
            db.session.execute(query.add_columns(self.condition().label("readable")))
            .unique()
            .one_or_none()
        )
        if row is None:
            return None
        document, readable = row
        memo = _memo()
        if memo is not None:
            memo[("readable", self, document.id)] = bool(readable)
        return document


# Meeting records ---------------------------------------------------------------
@dataclass(frozen=True)
class RecordAudience:
    """Which agenda items, minutes, decisions and action items a user may read:
    the rules of GROUP_VIEW (a meeting and its agenda), MINUTES_VIEW (the
    minutes and the decisions they record; drafts only for coordinators and
    signatories) and ACTION_VIEW above, written as SQL conditions for lists and
    search. Every member of the group reads them, observers included; admins
    read everything. The tests hold each condition to ``can`` on the same rows.
    """

    everything: bool = False
    member_groups: frozenset[int] = frozenset()  # any role
    draft_groups: frozenset[int] = frozenset()  # where they read draft minutes

    @classmethod
    def of(cls, user) -> RecordAudience:
        if not _is_user(user):
            return cls()
        if user.is_admin:
            return cls(everything=True)
        roles = roles_by_group(user)
        drafts = [g for g, r in roles.items() if r == Role.COORDINATOR or user.is_signatory]
        return cls(member_groups=frozenset(roles), draft_groups=frozenset(drafts))

    def _in(self, column, groups):
        return true() if self.everything else column.in_(groups)

    def meetings(self):
        """SQL on Meeting: GROUP_VIEW."""
        return self._in(Meeting.group_id, self.member_groups)

    def agenda_items(self):
        """SQL on AgendaItem: GROUP_VIEW on its meeting."""
        if self.everything:
            return true()
        return AgendaItem.meeting_id.in_(select(Meeting.id).where(self.meetings()))

    def minutes(self):
        """SQL on Minutes: MINUTES_VIEW."""
        if self.everything:
            return true()
        members = select(Meeting.id).where(Meeting.group_id.in_(self.member_groups))
        drafts = select(Meeting.id).where(Meeting.group_id.in_(self.draft_groups))
        return and_(
            Minutes.meeting_id.in_(members),
            or_(Minutes.status != MinutesStatus.DRAFT, Minutes.meeting_id.in_(drafts)),
        )

    def decisions(self):
        """SQL on Decision: MINUTES_VIEW on the minutes that record it."""
        if self.everything:
            return true()
        return Decision.minutes_id.in_(select(Minutes.id).where(self.minutes()))

    def actions(self):
        """SQL on ActionItem: ACTION_VIEW."""
        return self._in(ActionItem.group_id, self.member_groups)


def why_visible(user, document: Document, now: datetime | None = None) -> str:
    """One line, in the reader's language, saying why ``user`` may read the
    document (the document page shows it; it assumes DOCUMENT_VIEW was asked).
    The same rule as ``DocumentAudience``, worded for a person."""
    from flask_babel import gettext as _

    from konsey import timefmt

    if _is_user(user) and user.is_admin:
        return _("You are an administrator: you see every document.")
    roles = roles_by_group(user)
    role = roles.get(document.group_id)
    group = document.group.name
    state = user.member_state.display_name(user.locale) if user.member_state else None
    if under_embargo(document, now):
        moment = timefmt.local(document.embargo_until, user.timezone or "UTC")
        until = timefmt.format_datetime(moment, "long", rebase=False)
        if role == Role.COORDINATOR:
            return _(
                "Under embargo until %(when)s (your time): you see it as a coordinator "
                "of %(group)s.",
                when=until,
                group=group,
            )
        return _(
            "Under embargo until %(when)s (your time): you see it as a member of the "
            "uploading delegation (%(state)s).",
            when=until,
            state=state or "",
        )
    if document.visibility == Visibility.GROUP or (
        document.visibility == Visibility.OBSERVERS and role == Role.OBSERVER
    ):
        if role == Role.COORDINATOR:
            return _("Shared with this group: you coordinate it.")
        if role == Role.OBSERVER:
            return _("Shared with this group's observers: you observe it.")
        if state:
            return _("Shared with this group: you are in %(state)s's delegation.", state=state)
        return _("Shared with this group: you are a member of it.")
    # Council-wide: the reader holds a non-observer role here or in another group.
    if role is not None and role != Role.OBSERVER:
        group_id = document.group_id
    else:
        group_id = min((g for g, r in roles.items() if r != Role.OBSERVER), default=None)
        if group_id is None:
            return _("Shared with the council.")
        group = db.session.get(WorkingGroup, group_id).name
    if roles[group_id] == Role.COORDINATOR:
        return _("Shared with the council: you coordinate %(group)s.", group=group)
    if state:
        return _(
            "Shared with the council: you are in %(state)s's delegation in %(group)s.",
            state=state,
            group=group,
        )
    return _("Shared with the council: you are a member of %(group)s.", group=group)
