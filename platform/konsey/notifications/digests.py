"""Digests: one email per person and period, across all their groups, in
their language, at 08:00 in their zone — and "immediately" notices.

A run handles users in batches with a fixed number of queries per batch
(users, their runs, memberships, events, the objects named by the events),
so its time grows linearly with the number of users. ``DigestRun`` rows and
the outbox's dedupe keys (``digest:user:<id>:<period>``) make every digest
happen once, even if the run is repeated or killed half-way.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from konsey.extensions import db
from konsey.mail.outbox import compose, queue_many
from konsey.models import (
    AuditEvent,
    DigestFrequency,
    DigestRun,
    Membership,
    User,
    WorkingGroup,
)
from konsey.notifications import events as event_rules
from konsey.notifications.clock import DIGEST_HOUR, local_now
from konsey.notifications.links import make_token

BATCH = 500


@dataclass
class Period:
    key: str
    start: datetime
    end: datetime


def period_for(user: User, now: datetime, *, force: bool = False) -> Period | None:
    """The period whose digest is due for the user at ``now``, if any."""
    here = local_now(user.timezone, now)
    span = timedelta(days=7 if user.digest == DigestFrequency.WEEKLY else 1)
    if force:
        return Period(f"{user.digest.value}:now:{now:%Y%m%dT%H%M}", now - span, now)
    if here.hour < DIGEST_HOUR:
        return None
    if user.digest == DigestFrequency.WEEKLY and here.weekday() != 0:
        return None  # weekly digests come on Mondays
    end = here.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return Period(f"{user.digest.value}:{end:%Y-%m-%d}", end - span, end)


@dataclass
class Digest:
    user: User
    period: Period
    groups: dict[int, list] = field(default_factory=lambda: defaultdict(list))

    @property
    def size(self) -> int:
        return sum(len(items) for items in self.groups.values())


def run(now: datetime, *, force: bool = False, batch: int = BATCH) -> int:
    """Compose and queue every due digest; returns how many emails were queued."""
    queued = 0
    last_id = 0
    while True:
        users = db.session.scalars(
            select(User)
            .where(
                User.id > last_id,
                User.is_active_account.is_(True),
                User.digest.in_([DigestFrequency.DAILY, DigestFrequency.WEEKLY]),
            )
            .order_by(User.id)
            .limit(batch)
        ).all()
        if not users:
            return queued
        last_id = users[-1].id
        queued += _run_batch(users, now, force=force)
        db.session.commit()  # each batch on its own: a killed run resumes


def _run_batch(users: list[User], now: datetime, *, force: bool) -> int:
    due = {u.id: p for u in users if (p := period_for(u, now, force=force)) is not None}
    if not due:
        return 0
    done = {
        (row.user_id, row.period)
        for row in db.session.execute(
            select(DigestRun.user_id, DigestRun.period).where(DigestRun.user_id.in_(due))
        )
    }
    due = {uid: p for uid, p in due.items() if (uid, p.key) not in done}
    if not due:
        return 0
    users_by_id = {u.id: u for u in users if u.id in due}
    roles = _roles(due)
    group_ids = {gid for by_group in roles.values() for gid in by_group}
    start = min(p.start for p in due.values())
    end = max(p.end for p in due.values())
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.group_id.in_(group_ids),
            AuditEvent.created_at >= start,
            AuditEvent.created_at < end,
            AuditEvent.action.in_(event_rules.DIGEST_ACTIONS),
        )
        .order_by(AuditEvent.id)
    ).all()
    context = event_rules.load_objects(events)
    groups = {
        g.id: g
        for g in db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(group_ids)))
    }

    pending = _pending_actions(group_ids, now)
    messages, runs = [], []
    with _email_context():
        for uid, period in due.items():
            user = users_by_id[uid]
            digest = Digest(user, period)
            for event in events:
                role = roles[uid].get(event.group_id)
                if role is None or not (period.start <= event.created_at < period.end):
                    continue
                item = event_rules.describe(event, user, role, context)
                if item is not None:
                    digest.groups[event.group_id].append(item)
            for action, late in pending:
                role = roles[uid].get(action.group_id)
                if role is not None and event_rules.owes(action, user, role):
                    digest.groups[action.group_id].append(event_rules.due_item(action, late))
            runs.append(
                {"user_id": uid, "period": period.key, "items": digest.size, "created_at": now}
            )
            if digest.size:
                messages.append(_compose(digest, groups))
    _insert_runs(runs)
    return queue_many(messages)


def _email_context():
    """One request context for a whole batch (links need one): compose would
    otherwise set one up and tear it down for every email."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config["BASE_URL"])


def _pending_actions(group_ids, now: datetime) -> list[tuple[object, bool]]:
    """Open items in these groups that are overdue or due within 7 days, each
    judged in its owner's zone: (item, overdue?)."""
    from sqlalchemy.orm import joinedload

    from konsey.actions.overdue import local_today
    from konsey.models import PENDING_STATUSES, ActionItem

    items = db.session.scalars(
        select(ActionItem)
        .where(
            ActionItem.group_id.in_(group_ids),
            ActionItem.status.in_(PENDING_STATUSES),
            ActionItem.due_date <= now.date() + timedelta(days=8),
        )
        .options(
            joinedload(ActionItem.owner_state),
            joinedload(ActionItem.assignee),
            joinedload(ActionItem.group),
        )
    ).all()
    found = []
    for item in items:
        days_left = (item.due_date - local_today(item.owner_timezone, now)).days
        if days_left <= 7:
            found.append((item, days_left < 0))
    return found


def _roles(user_ids) -> dict[int, dict[int, object]]:
    roles: dict[int, dict[int, object]] = defaultdict(dict)
    for row in db.session.execute(
        select(Membership.user_id, Membership.group_id, Membership.role).where(
            Membership.user_id.in_(user_ids)
        )
    ):
        roles[row.user_id][row.group_id] = row.role
    return roles


def _compose(digest: Digest, groups: dict[int, WorkingGroup]) -> dict:
    from flask_babel import lazy_gettext as _l

    user = digest.user
    sections = [
        (groups[gid], items)
        for gid, items in sorted(digest.groups.items(), key=lambda kv: groups[kv[0]].name)
    ]
    return compose(
        user,
        "digest",
        lambda: str(_l("Konsey: what happened in your groups (%(n)d)", n=digest.size)),
        dedupe_key=f"digest:user:{user.id}:{digest.period.key}",
        sections=sections,
        period=digest.period,
        frequency_token=make_token(user),
    )


def _insert_runs(rows: list[dict]) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(DigestRun)
    db.session.execute(
        insert.values(rows).on_conflict_do_nothing(index_elements=["user_id", "period"])
    )
