"""Every access decision in Konsey: ``can(user, action, obj)``, and nowhere else.

Routes, API endpoints and templates ask this module; services assume the
caller has asked. The authorization-matrix test walks every route for every
role against these rules.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from konsey.extensions import db
from konsey.models import Membership, Role, User, WorkingGroup


class Action(enum.StrEnum):
    # The council: anyone logged in sees which groups exist.
    GROUP_LIST = "group.list"
    # Inside a group: home page, roster.
    GROUP_VIEW = "group.view"
    # Add/remove members, change roles.
    ROSTER_MANAGE = "roster.manage"
    # Secretariat IT: member states, users, groups, audit log, outbox.
    ADMINISTER = "administer"


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


_UNKNOWN = object()


def can(user, action: Action, obj=None, *, role=_UNKNOWN) -> bool:
    """May ``user`` do ``action`` (on ``obj``)?

    ``role`` (a Role, or None for "not a member") may be passed when the
    caller already knows the user's role in the group ``obj``, to save a
    query on list pages.
    """
    if not _is_user(user):
        return False
    if user.is_admin:
        return True
    if action == Action.GROUP_LIST:
        return True
    if action == Action.ADMINISTER:
        return False
    if action in (Action.GROUP_VIEW, Action.ROSTER_MANAGE):
        if not isinstance(obj, WorkingGroup):
            raise TypeError(f"{action} needs a WorkingGroup")
        if role is _UNKNOWN:
            role = role_in(user, obj)
        if role is None:
            return False
        if action == Action.GROUP_VIEW:
            return True
        return role == Role.COORDINATOR
    raise ValueError(f"unknown action {action!r}")
