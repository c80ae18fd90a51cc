"""Reads for group pages, each a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from konsey.extensions import db
from konsey.models import ROSTER_ORDER, Membership, MemberState, Role, User, WorkingGroup


@dataclass
class Delegation:
    state: MemberState | None  # None: guests without a state
    members: dict[Role, list[Membership]] = field(default_factory=dict)

    @property
    def head(self) -> Membership | None:
        heads = self.members.get(Role.HEAD) or []
        return heads[0] if heads else None

    def ordered(self) -> list[Membership]:
        return [m for role in ROSTER_ORDER for m in self.members.get(role, [])]


@dataclass
class Roster:
    coordinators: list[Membership]
    delegations: list[Delegation]

    @property
    def size(self) -> int:
        return len(self.coordinators) + sum(len(d.ordered()) for d in self.delegations)


def roster(group: WorkingGroup) -> Roster:
    """The group's members by delegation, in one query."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.group_id == group.id)
        .options(
            joinedload(Membership.user).joinedload(User.member_state),
            joinedload(Membership.member_state),
        )
        .join(Membership.user)
        .order_by(User.name)
    ).all()
    coordinators = [m for m in memberships if m.role == Role.COORDINATOR]
    by_state: dict[int | None, Delegation] = {}
    for m in memberships:
        if m.role == Role.COORDINATOR:
            continue
        delegation = by_state.setdefault(m.member_state_id, Delegation(state=m.member_state))
        delegation.members.setdefault(m.role, []).append(m)
    delegations = sorted(
        by_state.values(),
        key=lambda d: (
            d.state is None,
            not (d.state and d.state.is_member),
            d.state.name if d.state else "",
        ),
    )
    return Roster(coordinators=coordinators, delegations=delegations)


def groups_with_counts() -> list[tuple[WorkingGroup, int]]:
    counts = (
        select(Membership.group_id, func.count().label("n"))
        .group_by(Membership.group_id)
        .subquery()
    )
    rows = db.session.execute(
        select(WorkingGroup, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.group_id == WorkingGroup.id)
        .order_by(WorkingGroup.name)
    ).all()
    return [(group, n) for group, n in rows]


def candidates_for(group: WorkingGroup) -> list[User]:
    """Active users not yet in the group (for the "add member" form)."""
    in_group = select(Membership.user_id).where(Membership.group_id == group.id)
    return list(
        db.session.scalars(
            select(User)
            .where(User.is_active_account.is_(True), User.id.not_in(in_group))
            .order_by(User.name)
        )
    )


def get_group(slug: str) -> WorkingGroup | None:
    return db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
