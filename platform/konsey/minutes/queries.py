"""Reads for minutes pages and the API, each a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from konsey.extensions import db
from konsey.models import (
    ActionItem,
    Decision,
    Meeting,
    Membership,
    MemberState,
    Minutes,
    MinutesComment,
    MinutesParticipant,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    PositionKind,
    Role,
    StateStatus,
    User,
    VersionDecision,
    WorkingGroup,
)

DELEGATION_ROLES = (Role.HEAD, Role.DELEGATE, Role.EXPERT)


def participating_states(group: WorkingGroup) -> list[MemberState]:
    """The member states that take part in the group's minutes *today*.

    A state takes part when it is a member (not an observer) state and has an
    active head, delegate or expert in the group. Observers never count. This
    is the one place that says so. It decides who joins a circulated version
    (``konsey.minutes.participants``); once recorded with a version, a state
    stays in its count whatever the roster does (``standing_states``).
    """
    delegations = (
        select(Membership.member_state_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.group_id == group.id,
            Membership.role.in_(DELEGATION_ROLES),
            User.is_active_account.is_(True),
        )
    )
    return list(
        db.session.scalars(
            select(MemberState)
            .where(MemberState.status == StateStatus.MEMBER, MemberState.id.in_(delegations))
            .order_by(MemberState.name)
        )
    )


def participants_of(version: MinutesVersion | None) -> list[MinutesParticipant]:
    """The states recorded as taking part in this version (with the states)."""
    if version is None or version.id is None:
        return []
    return list(
        db.session.scalars(
            select(MinutesParticipant)
            .where(MinutesParticipant.version_id == version.id)
            .options(joinedload(MinutesParticipant.member_state))
        )
    )


def joiners(minutes: Minutes) -> list[MemberState]:
    """States taking part today that the circulated current version has not
    recorded yet (they join its count)."""
    if minutes.status != MinutesStatus.CIRCULATED or minutes.current is None:
        return []
    fixed = {p.member_state_id for p in participants_of(minutes.current)}
    live = participating_states(minutes.meeting.group)
    return [s for s in live if s.id not in fixed]


def standing_states(minutes: Minutes, positions: dict[int, MinutesPosition]) -> list[MemberState]:
    """The states whose agreement the current version needs.

    A draft: today's delegations (nothing is at stake yet). Circulated: the
    states recorded with the version, plus any that joined since (recorded
    at the next settle). Agreed or signed: the recorded states only; never
    fewer because of a roster change.
    """
    if minutes.status == MinutesStatus.DRAFT or minutes.current is None:
        return participating_states(minutes.meeting.group)
    states = {p.member_state_id: p.member_state for p in participants_of(minutes.current)}
    if minutes.status == MinutesStatus.CIRCULATED:
        for state in participating_states(minutes.meeting.group):
            states.setdefault(state.id, state)
    for position in positions.values():
        # A state that recorded a position on the version always counts.
        states.setdefault(position.member_state_id, position.member_state)
    return sorted(states.values(), key=lambda s: (s.name, s.code))


def heads_by_state(group: WorkingGroup) -> dict[int, User]:
    """Each state's head of delegation in the group (who records its position)."""
    rows = db.session.execute(
        select(Membership.member_state_id, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id, Membership.role == Role.HEAD)
    ).all()
    return {state_id: user for state_id, user in rows if state_id is not None}


def get_meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(joinedload(Meeting.group))
    )


def minutes_of(meeting: Meeting) -> Minutes | None:
    """The meeting's minutes with their versions (one query)."""
    return db.session.scalar(
        select(Minutes)
        .where(Minutes.meeting_id == meeting.id)
        .options(selectinload(Minutes.versions).joinedload(MinutesVersion.created_by))
        .execution_options(populate_existing=True)
    )


def positions_on(version: MinutesVersion | None) -> dict[int, MinutesPosition]:
    """member_state_id → position on this version."""
    if version is None or version.id is None:
        return {}
    rows = db.session.scalars(
        select(MinutesPosition)
        .where(MinutesPosition.version_id == version.id)
        .options(joinedload(MinutesPosition.recorded_by), joinedload(MinutesPosition.member_state))
    )
    return {p.member_state_id: p for p in rows}


def earlier_positions(minutes: Minutes) -> dict[int, tuple[int, MinutesPosition]]:
    """member_state_id → (version number, position) of each state's latest
    position on a version before the current one: shown as "was: … on version n"
    when a new version reset the agreements."""
    current = minutes.current
    if current is None:
        return {}
    rows = db.session.execute(
        select(MinutesVersion.number, MinutesPosition)
        .join(MinutesPosition, MinutesPosition.version_id == MinutesVersion.id)
        .where(MinutesVersion.minutes_id == minutes.id, MinutesVersion.number < current.number)
        .order_by(MinutesVersion.number)
    ).all()
    return {p.member_state_id: (number, p) for number, p in rows}


def comments(minutes: Minutes) -> list[tuple[int, MinutesComment]]:
    """(version number, comment), oldest first."""
    rows = db.session.execute(
        select(MinutesVersion.number, MinutesComment)
        .join(MinutesComment, MinutesComment.version_id == MinutesVersion.id)
        .where(MinutesVersion.minutes_id == minutes.id)
        .options(joinedload(MinutesComment.user).joinedload(User.member_state))
        .order_by(MinutesComment.created_at, MinutesComment.id)
    ).all()
    return [(number, comment) for number, comment in rows]


def version_decisions(version: MinutesVersion | None) -> list[VersionDecision]:
    """The decisions a version records, in order, with their agenda items
    (one query)."""
    if version is None or version.id is None:
        return []
    return list(
        db.session.scalars(
            select(VersionDecision)
            .where(VersionDecision.version_id == version.id)
            .options(joinedload(VersionDecision.agenda_item))
            .order_by(VersionDecision.position, VersionDecision.id)
        )
    )


def decisions(minutes: Minutes) -> list[VersionDecision]:
    """The decisions of the current version."""
    return version_decisions(minutes.current)


def versions_decisions(minutes: Minutes) -> dict[int, list[VersionDecision]]:
    """version number → its decisions, for every version (one query)."""
    rows = db.session.execute(
        select(MinutesVersion.number, VersionDecision)
        .join(VersionDecision, VersionDecision.version_id == MinutesVersion.id)
        .where(MinutesVersion.minutes_id == minutes.id)
        .options(joinedload(VersionDecision.agenda_item))
        .order_by(MinutesVersion.number, VersionDecision.position, VersionDecision.id)
    ).all()
    result: dict[int, list[VersionDecision]] = {v.number: [] for v in minutes.versions}
    for number, entry in rows:
        result.setdefault(number, []).append(entry)
    return result


def removed_decisions(minutes: Minutes) -> list[Decision]:
    """Decisions a later version removed (their latest wording), in order."""
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.minutes_id == minutes.id, Decision.removed_in_version.is_not(None))
            .options(joinedload(Decision.agenda_item))
            .order_by(Decision.removed_in_version, Decision.position, Decision.id)
        )
    )


def actions_of(decision_ids) -> dict[int, list[ActionItem]]:
    """decision id → the action items made from it (one query)."""
    ids = list(decision_ids)
    result: dict[int, list[ActionItem]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        select(ActionItem)
        .where(ActionItem.decision_id.in_(ids))
        .options(joinedload(ActionItem.owner_state))
        .order_by(ActionItem.id)
    )
    for item in rows:
        result[item.decision_id].append(item)
    return result


@dataclass
class StatePosition:
    """One participating state's standing on the current version."""

    state: MemberState
    position: MinutesPosition | None  # None: pending
    head: User | None
    earlier: tuple[int, MinutesPosition] | None = None  # (version number, position)

    @property
    def kind(self) -> str:
        return self.position.position.value if self.position else "pending"

    @property
    def agrees(self) -> bool:
        return self.position is not None and self.position.position in (
            PositionKind.AGREE,
            PositionKind.SILENCE,
        )


@dataclass
class Standing:
    """Every participating state's position on the current version."""

    states: list[StatePosition] = field(default_factory=list)

    @property
    def everyone_agrees(self) -> bool:
        return bool(self.states) and all(s.agrees for s in self.states)

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for s in self.states:
            result[s.kind] = result.get(s.kind, 0) + 1
        return result


def standing(minutes: Minutes, *, with_details: bool = True) -> Standing:
    """The participating states and their positions on the current version
    (a fixed number of queries, whatever the number of states or versions)."""
    group = minutes.meeting.group
    current = positions_on(minutes.current)
    states = standing_states(minutes, current)
    heads = heads_by_state(group) if with_details else {}
    earlier = earlier_positions(minutes) if with_details else {}
    return Standing(
        states=[
            StatePosition(
                state=s,
                position=current.get(s.id),
                head=heads.get(s.id),
                earlier=earlier.get(s.id),
            )
            for s in states
        ]
    )


@dataclass
class MeetingMinutes:
    meeting: Meeting
    minutes: Minutes | None
    version: int | None


def latest_versions():
    """A subquery: each minutes record's current version number (minutes_id, number)."""
    return (
        select(MinutesVersion.minutes_id, func.max(MinutesVersion.number).label("number"))
        .group_by(MinutesVersion.minutes_id)
        .subquery()
    )


def group_minutes(group: WorkingGroup) -> list[MeetingMinutes]:
    """Every meeting of the group with its minutes record, if any (one query)."""
    latest = latest_versions()
    rows = db.session.execute(
        select(Meeting, Minutes, latest.c.number)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .outerjoin(latest, latest.c.minutes_id == Minutes.id)
        .where(Meeting.group_id == group.id)
        .options(joinedload(Meeting.group))
        .order_by(Meeting.starts_at.desc().nulls_last(), Meeting.id.desc())
    ).all()
    return [MeetingMinutes(meeting=m, minutes=mi, version=n) for m, mi, n in rows]


def circulated_minutes_ids() -> list[int]:
    """Ids of every circulated minutes record (for the periodic settle run)."""
    return list(
        db.session.scalars(
            select(Minutes.id)
            .where(Minutes.status == MinutesStatus.CIRCULATED)
            .order_by(Minutes.id)
        )
    )
