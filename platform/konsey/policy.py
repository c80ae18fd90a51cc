"""Every access decision in Konsey: ``can(user, action, obj)``, and nowhere else.

Routes, API endpoints and templates ask this module; services assume the
caller has asked. The authorization-matrix test walks every route for every
role against these rules.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from konsey.extensions import db
from konsey.models import (
    Meeting,
    MeetingStatus,
    Membership,
    Minutes,
    MinutesStatus,
    Role,
    User,
    WorkingGroup,
)


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


DELEGATION_ROLES = (Role.HEAD, Role.DELEGATE, Role.EXPERT)


def _is_user(user) -> bool:
    return isinstance(user, User) and user.is_active


def role_in(user, group: WorkingGroup) -> Role | None:
    """The user's role in the group, or None when not a member."""
    if not _is_user(user):
        return None
    return db.session.scalar(
        select(Membership.role).where(
            Membership.group_id == group.id, Membership.user_id == user.id
        )
    )


def roles_by_group(user) -> dict[int, Role]:
    """All of the user's roles in one query (for lists of groups)."""
    if not _is_user(user):
        return {}
    rows = db.session.execute(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user.id)
    )
    return {row.group_id: row.role for row in rows}


def _group_of(obj) -> WorkingGroup:
    if isinstance(obj, WorkingGroup):
        return obj
    if isinstance(obj, Meeting):
        return obj.group
    if isinstance(obj, Minutes):
        return obj.meeting.group
    raise TypeError(f"no working group for {obj!r}")


_UNKNOWN = object()
_GROUP_ACTIONS = {
    Action.GROUP_VIEW,
    Action.ROSTER_MANAGE,
    Action.MEETING_MANAGE,
    Action.MEETING_REGISTER,
    Action.MINUTES_VIEW,
    Action.MINUTES_EDIT,
    Action.MINUTES_COMMENT,
    Action.MINUTES_POSITION,
    Action.MINUTES_SIGN,
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
    if action == Action.MINUTES_VIEW:
        return coordinator or user.is_signatory or obj.status != MinutesStatus.DRAFT
    if action == Action.MINUTES_COMMENT:
        return role in DELEGATION_ROLES and _is_member_state(user) and _state_allows(action, obj)
    if action == Action.MINUTES_POSITION:
        return role == Role.HEAD and _is_member_state(user) and _state_allows(action, obj)
    if action == Action.MINUTES_SIGN:
        return (coordinator or user.is_signatory) and _state_allows(action, obj)
    return False


def _is_member_state(user: User) -> bool:
    return user.member_state is not None and user.member_state.is_member


def _state_allows(action: Action, obj) -> bool:
    """What the object's own state permits, whoever asks."""
    if action == Action.MEETING_REGISTER:
        return isinstance(obj, Meeting) and obj.status == MeetingStatus.PLANNED
    if isinstance(obj, Minutes):
        if action == Action.MINUTES_EDIT:
            return obj.status in (MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
        if action in (Action.MINUTES_COMMENT, Action.MINUTES_POSITION):
            return obj.status == MinutesStatus.CIRCULATED
        if action == Action.MINUTES_SIGN:
            return obj.status == MinutesStatus.AGREED
    return True
