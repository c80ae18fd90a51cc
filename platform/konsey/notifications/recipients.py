"""Who is in which group, for many groups at once (one query)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from konsey.extensions import db
from konsey.models import Membership, Role, User

DELEGATION_ROLES = (Role.HEAD, Role.DELEGATE, Role.EXPERT)


def members_by_group(group_ids) -> dict[int, list[Membership]]:
    """Active members of each group, with user and user's state loaded."""
    group_ids = set(group_ids)
    found: dict[int, list[Membership]] = defaultdict(list)
    if not group_ids:
        return found
    rows = db.session.scalars(
        select(Membership)
        .join(Membership.user)
        .where(Membership.group_id.in_(group_ids), User.is_active_account.is_(True))
        .options(joinedload(Membership.user).joinedload(User.member_state))
    )
    for membership in rows:
        found[membership.group_id].append(membership)
    return found
