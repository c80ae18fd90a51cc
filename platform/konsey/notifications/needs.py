""" "Needs you": what waits for each recipient of a batch of digests, across
all their groups, found with one query per kind of need for the whole batch
(never one per user) and ranked by urgency.

- a position on circulated minutes: the user heads the delegation of a member
  state that takes part in the current version and has not yet spoken;
- actions owed by the user or their state, overdue or due within 14 days
  (judged in the owner's zone, as ``konsey.actions.overdue`` does);
- to acknowledge (coordinators): actions reported done by their owners
  (status ``reported``), with the update that reported them;
- reservations on circulated minutes (coordinators);
- agreed minutes to sign (coordinators and signatories: MINUTES_SIGN).

Every need passes ``policy.can`` for its reader when the digest is composed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from konsey import policy
from konsey.actions.overdue import local_today
from konsey.extensions import db
from konsey.minutes.queries import latest_versions
from konsey.models import (
    PENDING_STATUSES,
    ActionItem,
    ActionStatus,
    ActionUpdate,
    Meeting,
    Minutes,
    MinutesParticipant,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    PositionKind,
    Role,
    User,
)
from konsey.policy import Action

DUE_SOON_DAYS = 14
FAR = datetime.max.replace(year=9000)


@dataclass
class Need:
    """One thing waiting for one reader; worded by ``konsey.notifications.wording``."""

    kind: str  # position, action, acknowledge, reservation, sign
    obj: object  # Minutes or ActionItem
    group_id: int
    overdue: bool = False
    deadline: datetime | None = None  # an instant, for ranking
    due: date | None = None
    version: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rank(self):
        return (not self.overdue, (self.deadline or FAR).replace(tzinfo=None), self.kind)


@dataclass
class Batch:
    """The needs of a batch, found once, handed out per reader."""

    positions: list = field(default_factory=list)  # (Minutes, number, state_id)
    actions: list = field(default_factory=list)  # (ActionItem, days_left)
    acknowledge: list = field(default_factory=list)  # (ActionItem, ActionUpdate)
    reservations: list = field(default_factory=list)  # (Minutes, number, MinutesPosition)
    to_sign: list = field(default_factory=list)  # (Minutes, number)


def load(users: list[User], roles: dict[int, dict[int, Role]], now: datetime) -> Batch:
    batch = Batch()
    head_groups = {g for uid in roles for g, r in roles[uid].items() if r == Role.HEAD}
    coordinated = {g for uid in roles for g, r in roles[uid].items() if r == Role.COORDINATOR}
    all_groups = {g for uid in roles for g in roles[uid]}
    states = {u.member_state_id for u in users if u.member_state_id is not None}
    if head_groups and states:
        batch.positions = _awaiting_position(head_groups, states)
    if all_groups:
        batch.actions = _owed(all_groups, {u.id for u in users}, states, now)
        batch.to_sign = _agreed(all_groups)
    if coordinated:
        batch.acknowledge = _reported_done(coordinated)
        batch.reservations = _reservations(coordinated)
    return batch


def _awaiting_position(group_ids, state_ids) -> list:
    current = latest_versions()
    rows = db.session.execute(
        select(Minutes, current.c.number, MinutesParticipant.member_state_id)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(current, current.c.minutes_id == Minutes.id)
        .join(
            MinutesVersion,
            and_(
                MinutesVersion.minutes_id == Minutes.id,
                MinutesVersion.number == current.c.number,
            ),
        )
        .join(MinutesParticipant, MinutesParticipant.version_id == MinutesVersion.id)
        .outerjoin(
            MinutesPosition,
            and_(
                MinutesPosition.version_id == MinutesVersion.id,
                MinutesPosition.member_state_id == MinutesParticipant.member_state_id,
            ),
        )
        .where(
            Minutes.status == MinutesStatus.CIRCULATED,
            Meeting.group_id.in_(group_ids),
            MinutesParticipant.member_state_id.in_(state_ids),
            MinutesPosition.id.is_(None),
        )
        .options(joinedload(Minutes.meeting).joinedload(Meeting.group))
    ).all()
    return [tuple(row) for row in rows]


def _owed(group_ids, user_ids, state_ids, now: datetime) -> list:
    owner = ActionItem.assignee_id.in_(user_ids)
    if state_ids:
        owner = owner | ActionItem.owner_state_id.in_(state_ids)
    items = db.session.scalars(
        select(ActionItem)
        .where(
            ActionItem.group_id.in_(group_ids),
            ActionItem.status.in_(PENDING_STATUSES),
            # A day of slack either side: the exact test is in the owner's zone.
            ActionItem.due_date <= now.date() + timedelta(days=DUE_SOON_DAYS + 1),
            owner,
        )
        .options(
            joinedload(ActionItem.owner_state),
            joinedload(ActionItem.assignee).joinedload(User.member_state),
            joinedload(ActionItem.group),
        )
    ).all()
    found = []
    for item in items:
        days_left = (item.due_date - local_today(item.owner_timezone, now)).days
        if days_left <= DUE_SOON_DAYS:
            found.append((item, days_left))
    return found


def _reported_done(group_ids) -> list:
    """Items in status ``reported`` and the latest update that reported them."""
    last = (
        select(ActionUpdate.action_id, func.max(ActionUpdate.id).label("last_id"))
        .where(ActionUpdate.new_status == ActionStatus.REPORTED)
        .group_by(ActionUpdate.action_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ActionItem, ActionUpdate)
        .join(last, last.c.action_id == ActionItem.id)
        .join(ActionUpdate, ActionUpdate.id == last.c.last_id)
        .where(
            ActionItem.group_id.in_(group_ids),
            ActionItem.status == ActionStatus.REPORTED,
        )
        .options(
            joinedload(ActionItem.group),
            joinedload(ActionItem.owner_state),
            joinedload(ActionUpdate.user).joinedload(User.member_state),
        )
    ).all()
    return [tuple(row) for row in rows]


def _reservations(group_ids) -> list:
    current = latest_versions()
    rows = db.session.execute(
        select(Minutes, current.c.number, MinutesPosition)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(current, current.c.minutes_id == Minutes.id)
        .join(
            MinutesVersion,
            and_(
                MinutesVersion.minutes_id == Minutes.id,
                MinutesVersion.number == current.c.number,
            ),
        )
        .join(MinutesPosition, MinutesPosition.version_id == MinutesVersion.id)
        .where(
            Minutes.status == MinutesStatus.CIRCULATED,
            Meeting.group_id.in_(group_ids),
            MinutesPosition.position == PositionKind.RESERVATION,
        )
        .options(
            joinedload(Minutes.meeting).joinedload(Meeting.group),
            joinedload(MinutesPosition.member_state),
        )
    ).all()
    return [tuple(row) for row in rows]


def _agreed(group_ids) -> list:
    current = latest_versions()
    rows = db.session.execute(
        select(Minutes, current.c.number)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(current, current.c.minutes_id == Minutes.id)
        .where(Minutes.status == MinutesStatus.AGREED, Meeting.group_id.in_(group_ids))
        .options(joinedload(Minutes.meeting).joinedload(Meeting.group))
    ).all()
    return [tuple(row) for row in rows]


def owes(item: ActionItem, user: User, role: Role | None) -> bool:
    """The rule of ``policy`` for who records progress on an item, less the
    coordinators' general power: the named person, or the owing state's
    delegation. Observers owe nothing."""
    if role is None or role == Role.OBSERVER:
        return False
    if item.assignee_id == user.id:
        return True
    return (
        role.is_delegation
        and item.owner_state_id is not None
        and item.owner_state_id == user.member_state_id
    )


def for_user(batch: Batch, user: User, roles: dict[int, Role]) -> list[Need]:
    """The user's needs, each allowed by the policy now, most urgent first."""
    needs: list[Need] = []
    for minutes, number, state_id in batch.positions:
        role = roles.get(minutes.meeting.group_id)
        if state_id != user.member_state_id or role != Role.HEAD:
            continue
        if not policy.can(user, Action.MINUTES_POSITION, minutes, role=role):
            continue
        deadline = minutes.comment_deadline
        needs.append(
            Need("position", minutes, minutes.meeting.group_id, deadline=deadline, version=number)
        )
    for item, days_left in batch.actions:
        role = roles.get(item.group_id)
        if not owes(item, user, role) or not policy.can(
            user, Action.ACTION_UPDATE, item, role=role
        ):
            continue
        deadline = datetime.combine(item.due_date, datetime.min.time())
        needs.append(
            Need(
                "action",
                item,
                item.group_id,
                overdue=days_left < 0,
                deadline=deadline,
                due=item.due_date,
                extra={"days_left": days_left},
            )
        )
    for item, update in batch.acknowledge:
        role = roles.get(item.group_id)
        if role != Role.COORDINATOR or not policy.can(user, Action.ACTION_MANAGE, item, role=role):
            continue
        needs.append(Need("acknowledge", item, item.group_id, extra={"update": update}))
    for minutes, number, position in batch.reservations:
        role = roles.get(minutes.meeting.group_id)
        if role != Role.COORDINATOR:
            continue
        if not policy.can(user, Action.MINUTES_EDIT, minutes, role=role):
            continue
        needs.append(
            Need(
                "reservation",
                minutes,
                minutes.meeting.group_id,
                deadline=minutes.comment_deadline,
                version=number,
                extra={"position": position},
            )
        )
    for minutes, number in batch.to_sign:
        role = roles.get(minutes.meeting.group_id)
        if role is None or not policy.can(user, Action.MINUTES_SIGN, minutes, role=role):
            continue
        needs.append(Need("sign", minutes, minutes.meeting.group_id, version=number))
    return sorted(needs, key=lambda n: n.rank)
