"""Who is told what needs them, the moment it does: every rule in one place.

A notice is derived from a domain event — the audit event written in the
same transaction as the change — by the rule for its action below, and goes
to each recipient who, *at the time the notice is composed*, may act on it
(``policy.can``): an observer, another state's delegate or someone who lost
access since is never told. Its outbox row's dedupe key
``notice:<kind>:<object id>:<version or update id>:<user id>`` makes a
second send impossible, however often the derivation runs.

Derivation is set-based: the objects the events name, the versions,
participants, positions, comments and updates they need and the members of
their groups are loaded in a fixed number of queries per batch of events.

The one notice that no event causes, ``minutes.deadline_soon``, is a scan
(``deadline_notices``), run with the reminders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from konsey import policy
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AuditEvent,
    Meeting,
    Membership,
    Minutes,
    MinutesComment,
    MinutesParticipant,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    PositionKind,
    Role,
    User,
)
from konsey.notifications.recipients import DELEGATION_ROLES, members_by_group
from konsey.policy import Action

# The contract: users, scripts and member-state systems rely on these names.
POSITION_NEEDED = "minutes.position_needed"
POSITION_RESET = "minutes.position_reset"
RESERVATION = "minutes.reservation"
COMMENT = "minutes.comment"
AGREED = "minutes.agreed"
DEADLINE_SOON = "minutes.deadline_soon"
ASSIGNED = "action.assigned"
REPORTED = "action.reported"
RETURNED = "action.returned"
KINDS = (
    POSITION_NEEDED,
    POSITION_RESET,
    RESERVATION,
    COMMENT,
    AGREED,
    DEADLINE_SOON,
    ASSIGNED,
    REPORTED,
    RETURNED,
)

# Each kind's subject line, translated in the recipient's language.
SUBJECTS = {
    POSITION_NEEDED: _l("Your state's position is needed: minutes of %(title)s"),
    POSITION_RESET: _l("Your state's position no longer counts: minutes of %(title)s"),
    RESERVATION: _l("Reservation by %(state)s: minutes of %(title)s"),
    COMMENT: _l("New comment on the minutes of %(title)s"),
    AGREED: _l("Agreed, ready to sign: minutes of %(title)s"),
    DEADLINE_SOON: _l("Deadline in 2 days: minutes of %(title)s"),
    ASSIGNED: _l("New action for you: %(title)s"),
    REPORTED: _l("Reported done, to acknowledge: %(title)s"),
    RETURNED: _l("Sent back to you: %(title)s"),
}
# ``minutes.deadline_soon`` goes out at 09:00 local, 48 hours (two calendar
# days) before the comment deadline.
DEADLINE_SOON_BEFORE = timedelta(hours=48)
DEADLINE_SOON_DAYS = 2


@dataclass
class Notice:
    kind: str
    user: User
    group_id: int
    object_type: str  # "minutes" or "action_item"
    object_id: int
    part: str  # the version, or the update, the notice is about
    event_id: int | None = None
    context: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"notice:{self.kind}:{self.object_id}:{self.part}:{self.user.id}"

    @property
    def about(self) -> str:
        return f"{self.object_type}:{self.object_id}"

    @property
    def title(self) -> str:
        obj = self.context.get("minutes") or self.context.get("item")
        if isinstance(obj, Minutes):
            return obj.meeting.title
        return obj.title if obj is not None else ""

    def subject(self) -> str:
        """In the language being rendered (compose sets the recipient's)."""
        from flask_babel import get_locale

        state = self.context.get("state")
        name = state.display_name(str(get_locale())) if state else ""
        return str(SUBJECTS[self.kind] % {"title": self.title, "state": name})


@dataclass
class World:
    """What the rules read, loaded once for a batch of events."""

    minutes: dict[int, Minutes]
    versions: dict[tuple[int, int], MinutesVersion]  # (minutes id, number) → version
    participants: dict[int, set[int]]  # version id → member state ids
    positions: dict[int, dict[int, MinutesPosition]]  # version id → state id → position
    comments: dict[int, MinutesComment]
    items: dict[int, ActionItem]
    updates: dict[int, ActionUpdate]
    members: dict[int, list[Membership]]  # group id → active memberships

    def heads(self, group_id: int, state_ids) -> list[Membership]:
        return [
            m
            for m in self.members[group_id]
            if m.role == Role.HEAD and m.user.member_state_id in state_ids
        ]

    def coordinators(self, group_id: int) -> list[Membership]:
        return [m for m in self.members[group_id] if m.role == Role.COORDINATOR]


Rule = Callable[[AuditEvent, World], Iterable[Notice]]
RULES: dict[str, Rule] = {}


def rule(action: str):
    def register(func: Rule) -> Rule:
        RULES[action] = func
        return func

    return register


def derive(events: Sequence[AuditEvent]) -> list[Notice]:
    """Every notice the events call for, with today's access applied."""
    events = [e for e in events if e.action in RULES and e.group_id is not None]
    if not events:
        return []
    world = _load(events)
    found: dict[str, Notice] = {}
    for event in events:
        for notice in RULES[event.action](event, world):
            if notice.user.id != event.actor_id:  # nobody is told of their own act
                notice.event_id = event.id
                found.setdefault(notice.key, notice)
    return list(found.values())


def _load(events: Sequence[AuditEvent]) -> World:
    ids: dict[str, set[int]] = defaultdict(set)
    wanted_versions: set[tuple[int, int]] = set()
    comment_ids, update_ids = set(), set()
    for event in events:
        if not (event.object_id or "").isdigit():
            continue
        object_id = int(event.object_id)
        ids[event.object_type].add(object_id)
        details = event.details or {}
        number = details.get("version") or details.get("number")
        if event.object_type == "minutes" and isinstance(number, int):
            wanted_versions.add((object_id, number))
            wanted_versions.add((object_id, number - 1))  # what a new version replaced
        if isinstance(details.get("comment"), int):
            comment_ids.add(details["comment"])
        if isinstance(details.get("update"), int):
            update_ids.add(details["update"])
    minutes = _by_id(
        Minutes,
        ids["minutes"],
        joinedload(Minutes.meeting).joinedload(Meeting.group),
        selectinload(Minutes.versions),
    )
    items = _by_id(
        ActionItem,
        ids["action_item"],
        joinedload(ActionItem.group),
        joinedload(ActionItem.owner_state),
        joinedload(ActionItem.assignee),
    )
    versions = {}
    if wanted_versions:
        versions = {
            (v.minutes_id, v.number): v
            for v in db.session.scalars(
                select(MinutesVersion).where(
                    tuple_(MinutesVersion.minutes_id, MinutesVersion.number).in_(wanted_versions)
                )
            )
        }
    participants, positions = _answers([v.id for v in versions.values()])
    comments = _by_id(MinutesComment, comment_ids, joinedload(MinutesComment.user))
    updates = _by_id(ActionUpdate, update_ids, joinedload(ActionUpdate.user))
    return World(
        minutes=minutes,
        versions=versions,
        participants=participants,
        positions=positions,
        comments=comments,
        items=items,
        updates=updates,
        members=members_by_group({e.group_id for e in events}),
    )


def _answers(version_ids) -> tuple[dict[int, set[int]], dict[int, dict[int, MinutesPosition]]]:
    """For these versions: the participating states, and the states' positions."""
    participants: dict[int, set[int]] = defaultdict(set)
    positions: dict[int, dict[int, MinutesPosition]] = defaultdict(dict)
    if version_ids:
        for row in db.session.execute(
            select(MinutesParticipant.version_id, MinutesParticipant.member_state_id).where(
                MinutesParticipant.version_id.in_(version_ids)
            )
        ):
            participants[row.version_id].add(row.member_state_id)
        for position in db.session.scalars(
            select(MinutesPosition)
            .where(MinutesPosition.version_id.in_(version_ids))
            .options(joinedload(MinutesPosition.member_state))
        ):
            positions[position.version_id][position.member_state_id] = position
    return participants, positions


def _by_id(model, ids, *options) -> dict:
    if not ids:
        return {}
    return {
        obj.id: obj
        for obj in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))
    }


def _allowed(membership: Membership, action: Action, obj) -> bool:
    return policy.can(membership.user, action, obj, role=membership.role)


def _tell(kind: str, memberships, action: Action, obj, part: str, **context):
    """The notice of ``kind`` for each of ``memberships`` who may ``action`` ``obj``."""
    object_type = "minutes" if isinstance(obj, Minutes) else "action_item"
    group_id = obj.meeting.group_id if isinstance(obj, Minutes) else obj.group_id
    for membership in memberships:
        if _allowed(membership, action, obj):
            yield Notice(
                kind, membership.user, group_id, object_type, obj.id, part, context=context
            )


def _object(event: AuditEvent, table: dict):
    return table.get(int(event.object_id)) if (event.object_id or "").isdigit() else None


# Minutes ---------------------------------------------------------------------
def _version_of(event: AuditEvent, world: World, minutes: Minutes):
    details = event.details or {}
    number = details.get("version") or details.get("number")
    version = world.versions.get((minutes.id, number))
    # Only the current version needs anything of anyone.
    if version is None or minutes.current is None or version.id != minutes.current.id:
        return None
    return version


def _position_needed(event, world, minutes, version, heads, *, part: str) -> Iterable[Notice]:
    yield from _tell(
        POSITION_NEEDED,
        heads,
        Action.MINUTES_POSITION,
        minutes,
        part,
        minutes=minutes,
        version=version,
    )


@rule("minutes.circulate")
def circulated(event: AuditEvent, world: World) -> Iterable[Notice]:
    """Each participating state's head is asked for a position (again, when
    circulated anew with another deadline)."""
    minutes = _object(event, world.minutes)
    if minutes is None or (version := _version_of(event, world, minutes)) is None:
        return
    heads = world.heads(minutes.meeting.group_id, world.participants[version.id])
    details = event.details or {}
    part = f"v{version.number}"
    if details.get("recirculated"):
        part = f"v{version.number}.e{event.id}"
    yield from _position_needed(event, world, minutes, version, heads, part=part)


@rule("minutes.version_add")
def new_version(event: AuditEvent, world: World) -> Iterable[Notice]:
    """A version saved while circulated replaces the one the states answered:
    heads whose state had a position hear that it no longer counts; the other
    heads that a new text awaits their position."""
    if (event.details or {}).get("participants") is None:
        return  # a draft's new version concerns nobody yet
    minutes = _object(event, world.minutes)
    if minutes is None or (version := _version_of(event, world, minutes)) is None:
        return
    previous = world.versions.get((minutes.id, version.number - 1))
    answered = world.positions.get(previous.id, {}) if previous else {}
    heads = world.heads(minutes.meeting.group_id, world.participants[version.id])
    part = f"v{version.number}"
    for membership in heads:
        position = answered.get(membership.user.member_state_id)
        if position is None:
            yield from _position_needed(event, world, minutes, version, [membership], part=part)
        elif _allowed(membership, Action.MINUTES_POSITION, minutes):
            yield Notice(
                POSITION_RESET,
                membership.user,
                minutes.meeting.group_id,
                "minutes",
                minutes.id,
                part,
                context={
                    "minutes": minutes,
                    "version": version,
                    "previous": previous,
                    "position": position,
                },
            )


@rule("minutes.position")
def reservation(event: AuditEvent, world: World) -> Iterable[Notice]:
    details = event.details or {}
    if details.get("position") != PositionKind.RESERVATION.value:
        return
    minutes = _object(event, world.minutes)
    if minutes is None or (version := _version_of(event, world, minutes)) is None:
        return
    position = next(
        (p for p in world.positions.get(version.id, {}).values()
         if p.member_state.code == details.get("state")),
        None,
    )  # fmt: skip
    if position is None or position.position != PositionKind.RESERVATION:
        return  # withdrawn since
    yield from _tell(
        RESERVATION,
        world.coordinators(minutes.meeting.group_id),
        Action.MINUTES_VIEW,
        minutes,
        f"v{version.number}.{position.member_state.code}.e{event.id}",
        minutes=minutes,
        version=version,
        position=position,
        state=position.member_state,
    )


@rule("minutes.comment")
def comment(event: AuditEvent, world: World) -> Iterable[Notice]:
    minutes = _object(event, world.minutes)
    found = world.comments.get((event.details or {}).get("comment"))
    if minutes is None or found is None:
        return
    yield from _tell(
        COMMENT,
        world.coordinators(minutes.meeting.group_id),
        Action.MINUTES_VIEW,
        minutes,
        f"c{found.id}",
        minutes=minutes,
        version=found.version,
        comment=found,
    )


@rule("minutes.agreed")
def agreed(event: AuditEvent, world: World) -> Iterable[Notice]:
    """Signatories and coordinators: the minutes are ready to sign."""
    minutes = _object(event, world.minutes)
    if minutes is None or (version := _version_of(event, world, minutes)) is None:
        return
    for membership in world.members[minutes.meeting.group_id]:
        if membership.role != Role.COORDINATOR and not membership.user.is_signatory:
            continue
        if _allowed(membership, Action.MINUTES_SIGN, minutes):
            yield Notice(
                AGREED,
                membership.user,
                minutes.meeting.group_id,
                "minutes",
                minutes.id,
                f"v{version.number}",
                context={"minutes": minutes, "version": version},
            )


# Action items ------------------------------------------------------------------
def _owners(item: ActionItem, world: World) -> list[Membership]:
    """The named person, else the owing state's delegation in the group."""
    members = world.members[item.group_id]
    if item.assignee_id is not None:
        return [m for m in members if m.user_id == item.assignee_id]
    return [
        m
        for m in members
        if m.role in DELEGATION_ROLES and m.user.member_state_id == item.owner_state_id
    ]


@rule("action.create")
def assigned(event: AuditEvent, world: World) -> Iterable[Notice]:
    item = _object(event, world.items)
    if item is None or item.status.is_closed:
        return
    yield from _tell(
        ASSIGNED,
        _owners(item, world),
        Action.ACTION_UPDATE,
        item,
        f"e{event.id}",
        item=item,
    )


def _update_of(event: AuditEvent, world: World, item: ActionItem) -> ActionUpdate | None:
    update = world.updates.get((event.details or {}).get("update"))
    return update if update is not None and update.action_id == item.id else None


@rule("action.update")
def reported_or_returned(event: AuditEvent, world: World) -> Iterable[Notice]:
    item = _object(event, world.items)
    if item is None or (update := _update_of(event, world, item)) is None:
        return
    coordinators = world.coordinators(item.group_id)
    by_coordinator = any(m.user_id == update.user_id for m in coordinators)
    if update.new_status == ActionStatus.REPORTED and update.old_status != ActionStatus.REPORTED:
        if item.status != ActionStatus.REPORTED:
            return  # acknowledged or sent back since
        yield from _tell(
            REPORTED,
            coordinators,
            Action.ACTION_MANAGE,
            item,
            f"u{update.id}",
            item=item,
            update=update,
        )
    elif (
        update.old_status in (ActionStatus.REPORTED, ActionStatus.DONE)
        and update.new_status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        and by_coordinator
    ):
        yield from _tell(
            RETURNED,
            _owners(item, world),
            Action.ACTION_UPDATE,
            item,
            f"u{update.id}",
            item=item,
            update=update,
        )


# The deadline scan -------------------------------------------------------------
def deadline_notices(now: datetime) -> list[Notice]:
    """Heads whose state has no position on the current version, two days
    before the comment deadline (or on the first day after circulation, when
    it was shorter), from 09:00 their time."""
    from konsey.notifications.clock import days_until, reminder_time

    records = db.session.scalars(
        select(Minutes)
        .where(
            Minutes.status == MinutesStatus.CIRCULATED,
            Minutes.comment_deadline > now,
            Minutes.comment_deadline <= now + DEADLINE_SOON_BEFORE + timedelta(days=1),
        )
        .options(
            selectinload(Minutes.versions), joinedload(Minutes.meeting).joinedload(Meeting.group)
        )
    ).all()
    current = {m.id: m.current for m in records if m.current is not None}
    participants, positions = _answers([v.id for v in current.values()])
    members = members_by_group(m.meeting.group_id for m in records)
    found = []
    for minutes in records:
        version = current.get(minutes.id)
        if version is None:
            continue
        for membership in members[minutes.meeting.group_id]:
            user = membership.user
            if membership.role != Role.HEAD or user.member_state_id not in participants[version.id]:
                continue
            if user.member_state_id in positions[version.id]:
                continue
            if not reminder_time(user.timezone, now):
                continue
            if days_until(minutes.comment_deadline, user.timezone, now) > DEADLINE_SOON_DAYS:
                continue
            if not _allowed(membership, Action.MINUTES_POSITION, minutes):
                continue
            found.append(
                Notice(
                    DEADLINE_SOON,
                    user,
                    minutes.meeting.group_id,
                    "minutes",
                    minutes.id,
                    f"v{version.number}.{minutes.comment_deadline:%Y%m%dT%H%M}",
                    context={"minutes": minutes, "version": version},
                )
            )
    return found
