"""Reads for group pages, each a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from konsey.collation import sort_key
from konsey.extensions import db
from konsey.models import ROSTER_ORDER, Membership, MemberState, Role, User, WorkingGroup
from konsey.place_names import reader_locale


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
    delegations = sorted(by_state.values(), key=lambda d: _delegation_order(d.state))
    return Roster(coordinators=coordinators, delegations=delegations)


@dataclass
class DelegationSummary:
    state: MemberState | None  # None: guests without a state
    people: int
    head_name: str | None


def delegation_summaries(group: WorkingGroup) -> list[DelegationSummary]:
    """Per delegation, its head and its size, for the group's dashboard: one
    query, one row per member state, however large the delegations."""
    per_state = (
        select(
            Membership.member_state_id.label("state_id"),
            func.count().label("people"),
            func.max(case((Membership.role == Role.HEAD, User.name))).label("head_name"),
        )
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id, Membership.role != Role.COORDINATOR)
        .group_by(Membership.member_state_id)
        .subquery()
    )
    rows = db.session.execute(
        select(MemberState, per_state.c.people, per_state.c.head_name)
        .select_from(per_state)
        .outerjoin(MemberState, MemberState.id == per_state.c.state_id)
    ).all()
    summaries = [DelegationSummary(state, people, head) for state, people, head in rows]
    return sorted(summaries, key=lambda d: _delegation_order(d.state))


def _delegation_order(state: MemberState | None):
    # Member states by name (as the reader names them, in the reader's alphabet),
    # then observer states, then guests without a state.
    language = reader_locale()
    name = sort_key(state.display_name(language), language) if state else ()
    return (state is None, not (state and state.is_member), name)


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


SUGGESTIONS = 200


def candidates_for(group: WorkingGroup) -> list[User]:
    """Suggestions for the "add member" form: active people of the group's
    member states, or of the secretariat, not yet in the group (at most ``SUGGESTIONS``;
    anyone else can still be added by typing their email)."""
    in_group = select(Membership.user_id).where(Membership.group_id == group.id)
    states = select(Membership.member_state_id).where(
        Membership.group_id == group.id, Membership.member_state_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_active_account.is_(True),
                User.id.not_in(in_group),
                or_(User.member_state_id.in_(states), User.member_state_id.is_(None)),
            )
            .order_by(User.name, User.id)
            .limit(SUGGESTIONS)
        )
    )


def get_group(slug: str) -> WorkingGroup | None:
    return db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
