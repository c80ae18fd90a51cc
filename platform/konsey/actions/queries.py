"""Reads of action items: filtered lists and the matrices, each in a fixed
number of queries whatever the number of items (overdue is computed in SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from konsey.actions.overdue import Clock, owner_zone_sql
from konsey.extensions import db
from konsey.models import (
    PENDING_STATUSES,
    ActionItem,
    ActionStatus,
    ActionUpdate,
    Membership,
    MemberState,
    Role,
    StateStatus,
    User,
    WorkingGroup,
)
from konsey.pagination import Paged

NO_STATE = "none"  # the "state" filter value for items owed by secretariat staff

OwnerState = aliased(MemberState, name="owner_state")
Assignee = aliased(User, name="assignee")
owner_zone = owner_zone_sql(OwnerState, Assignee)
# The state on whose side an item is: the owner state, else the named person's.
owing_state_id = func.coalesce(ActionItem.owner_state_id, Assignee.member_state_id)


def _of_assignee(column):
    return (
        select(column)
        .where(User.id == ActionItem.assignee_id)
        .correlate(ActionItem)
        .scalar_subquery()
    )


# The same two, without joining the people: counting over a join made
# PostgreSQL hash the whole user table for each matrix (the cost grew with the
# number of accounts); these look up only the assignees of the items counted.
_owing_state_lookup = func.coalesce(ActionItem.owner_state_id, _of_assignee(User.member_state_id))
_owner_zone_lookup = func.coalesce(
    select(MemberState.capital_timezone)
    .where(MemberState.id == ActionItem.owner_state_id)
    .correlate(ActionItem)
    .scalar_subquery(),
    _of_assignee(User.timezone),
    "UTC",
)


@dataclass
class ActionFilter:
    group_ids: list[int] | None = None  # None: no restriction by group
    state: str | None = None  # ISO code, or NO_STATE
    assignee_id: int | None = None
    assignee_email: str | None = None
    statuses: list[ActionStatus] = field(default_factory=list)
    overdue: bool | None = None
    due_within: int | None = None  # days from the owner's today
    due_before: date | None = None
    meeting_id: int | None = None
    mine_for: User | None = None  # "My actions": owed by the user or their state
    created_after: datetime | None = None  # "new for you since your last visit"
    descending: bool = False


def _joined():
    return (
        select(ActionItem)
        .outerjoin(OwnerState, OwnerState.id == ActionItem.owner_state_id)
        .outerjoin(Assignee, Assignee.id == ActionItem.assignee_id)
    )


def _visible_groups(user: User):
    """Ids of the groups whose items the user may read (admins: every group)."""
    if user.is_admin:
        return select(WorkingGroup.id)
    return select(Membership.group_id).where(Membership.user_id == user.id)


def _conditions(f: ActionFilter, clock: Clock) -> list:
    conditions = []
    if f.group_ids is not None:
        conditions.append(ActionItem.group_id.in_(f.group_ids) if f.group_ids else false())
    if f.state == NO_STATE:
        conditions.append(owing_state_id.is_(None))
    elif f.state:
        code_id = select(MemberState.id).where(MemberState.code == f.state).scalar_subquery()
        # owing_state_id == code_id, written so that it filters the items
        # before the join with their assignees (not after a join with everyone).
        conditions.append(
            or_(
                ActionItem.owner_state_id == code_id,
                and_(
                    ActionItem.owner_state_id.is_(None),
                    ActionItem.assignee_id.in_(
                        select(User.id).where(User.member_state_id == code_id)
                    ),
                ),
            )
        )
    if f.assignee_id is not None:
        conditions.append(ActionItem.assignee_id == f.assignee_id)
    if f.assignee_email:
        conditions.append(Assignee.email == f.assignee_email)
    if f.statuses:
        conditions.append(ActionItem.status.in_(f.statuses))
    overdue = clock.overdue_sql(owner_zone)
    if f.overdue is True:
        conditions.append(overdue)
    elif f.overdue is False:
        conditions.append(~overdue)
    if f.due_within is not None:
        conditions += [
            ActionItem.status.in_(PENDING_STATUSES),
            ActionItem.due_date >= clock.today_sql(owner_zone),
            ActionItem.due_date <= clock.today_sql(owner_zone, days=f.due_within),
        ]
    if f.due_before is not None:
        conditions.append(ActionItem.due_date < f.due_before)
    if f.meeting_id is not None:
        conditions.append(ActionItem.meeting_id == f.meeting_id)
    if f.mine_for is not None:
        conditions.append(_mine(f.mine_for))
    if f.created_after is not None:
        conditions.append(ActionItem.created_at > f.created_after)
    return conditions


def _mine(user: User):
    """Owed by the user, or by the user's state in a group where they sit in its delegation."""
    delegation_groups = select(Membership.group_id).where(
        Membership.user_id == user.id,
        Membership.role.in_([Role.HEAD, Role.DELEGATE, Role.EXPERT]),
    )
    by_state = (
        and_(
            ActionItem.owner_state_id == user.member_state_id,
            ActionItem.group_id.in_(delegation_groups),
        )
        if user.member_state_id is not None
        else false()
    )
    return or_(ActionItem.assignee_id == user.id, by_state)


@dataclass(kw_only=True)
class Page(Paged):
    rows: list[tuple[ActionItem, bool]]  # (item, overdue)


def list_actions(
    viewer: User, f: ActionFilter, clock: Clock, *, page: int = 1, per_page: int | None = 100
) -> Page:
    """Items the viewer may see that match ``f``, by due date; two queries.

    ``per_page=None`` returns every match (exports).
    """
    conditions = [ActionItem.group_id.in_(_visible_groups(viewer)), *_conditions(f, clock)]
    total = db.session.scalar(
        select(func.count(ActionItem.id))
        .select_from(ActionItem)
        .outerjoin(OwnerState, OwnerState.id == ActionItem.owner_state_id)
        .outerjoin(Assignee, Assignee.id == ActionItem.assignee_id)
        .where(*conditions)
    )
    order = ActionItem.due_date.desc() if f.descending else ActionItem.due_date
    query = (
        _joined()
        .add_columns(clock.overdue_sql(owner_zone).label("overdue"))
        .where(*conditions)
        .options(
            contains_eager(ActionItem.owner_state.of_type(OwnerState)),
            contains_eager(ActionItem.assignee.of_type(Assignee)),
            joinedload(ActionItem.group),
            joinedload(ActionItem.meeting),
            joinedload(ActionItem.agenda_item),
            joinedload(ActionItem.decision),
        )
        .order_by(order, ActionItem.id)
    )
    if per_page is not None:
        query = query.limit(per_page).offset((page - 1) * per_page)
    rows = [(item, bool(overdue)) for item, overdue in db.session.execute(query).unique()]
    return Page(rows=rows, total=total or 0, page=page, per_page=per_page or max(total, 1))


def get_action(action_id: int) -> ActionItem | None:
    return db.session.scalar(
        select(ActionItem)
        .where(ActionItem.id == action_id)
        .options(
            joinedload(ActionItem.owner_state),
            joinedload(ActionItem.assignee),
            joinedload(ActionItem.group),
            joinedload(ActionItem.meeting),
            joinedload(ActionItem.agenda_item),
            joinedload(ActionItem.decision),
            selectinload(ActionItem.updates).joinedload(ActionUpdate.user),
        )
    )


def updates_of(item: ActionItem) -> list[ActionUpdate]:
    return list(
        db.session.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == item.id)
            .options(joinedload(ActionUpdate.user), joinedload(ActionUpdate.document))
            .order_by(ActionUpdate.id)
        )
    )


# Matrices ------------------------------------------------------------------------
@dataclass
class Cell:
    open: int = 0  # pending: open or in progress
    overdue: int = 0
    done: int = 0
    reported: int = 0  # reported done, awaiting the secretariat


def _counts(clock: Clock, *conditions, by_group: bool):
    overdue = clock.overdue_sql(_owner_zone_lookup)
    keys = [ActionItem.group_id] if by_group else []
    state_id = _owing_state_lookup.label("state_id")
    query = (
        select(
            *keys,
            state_id,
            func.sum(case((ActionItem.status.in_(PENDING_STATUSES), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((ActionItem.status == ActionStatus.DONE, 1), else_=0)),
            func.sum(case((ActionItem.status == ActionStatus.REPORTED, 1), else_=0)),
        )
        .select_from(ActionItem)
        .where(*conditions)
        .group_by(*keys, state_id)
    )
    return db.session.execute(query).all()


@dataclass
class GroupMatrix:
    states: list[MemberState | None]  # None: items owed by secretariat staff
    cells: dict[int | None, Cell]

    def cell(self, state: MemberState | None) -> Cell:
        return self.cells.get(state.id if state else None, Cell())


def group_matrix(group: WorkingGroup, clock: Clock) -> GroupMatrix:
    """Member states of the group (and any state owing its items) × counts; three queries."""
    cells = {
        state_id: Cell(int(o or 0), int(d or 0), int(x or 0), int(r or 0))
        for state_id, o, d, x, r in _counts(clock, ActionItem.group_id == group.id, by_group=False)
    }
    in_group = select(Membership.member_state_id).where(Membership.group_id == group.id)
    states = db.session.scalars(
        select(MemberState)
        .where(
            or_(
                and_(MemberState.id.in_(in_group), MemberState.status == StateStatus.MEMBER),
                MemberState.id.in_([k for k in cells if k is not None]),
            )
        )
        .order_by(MemberState.name)
    ).all()
    rows: list[MemberState | None] = list(states)
    if None in cells:
        rows.append(None)
    return GroupMatrix(states=rows, cells=cells)


@dataclass
class CouncilMatrix:
    groups: list[WorkingGroup]
    states: list[MemberState | None]
    cells: dict[tuple[int, int | None], Cell]

    def cell(self, group: WorkingGroup, state: MemberState | None) -> Cell:
        return self.cells.get((group.id, state.id if state else None), Cell())

    def state_total(self, state: MemberState | None) -> Cell:
        total = Cell()
        for group in self.groups:
            c = self.cell(group, state)
            total.open += c.open
            total.overdue += c.overdue
            total.done += c.done
            total.reported += c.reported
        return total


def council_matrix(viewer: User, clock: Clock) -> CouncilMatrix:
    """Member states × the groups the viewer may see; three queries."""
    visible = _visible_groups(viewer)
    groups = db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.id.in_(visible)).order_by(WorkingGroup.name)
    ).all()
    cells = {
        (group_id, state_id): Cell(int(o or 0), int(d or 0), int(x or 0), int(r or 0))
        for group_id, state_id, o, d, x, r in _counts(
            clock, ActionItem.group_id.in_(visible), by_group=True
        )
    }
    owing = {state_id for _, state_id in cells if state_id is not None}
    states = db.session.scalars(
        select(MemberState)
        .where(or_(MemberState.status == StateStatus.MEMBER, MemberState.id.in_(owing)))
        .order_by(MemberState.name)
    ).all()
    rows: list[MemberState | None] = list(states)
    if any(state_id is None for _, state_id in cells):
        rows.append(None)
    return CouncilMatrix(groups=list(groups), states=rows, cells=cells)
