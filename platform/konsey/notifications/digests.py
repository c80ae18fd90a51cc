"""Digests: one briefing per person and period, across all their groups, in
their language, at 08:00 in their zone — "immediately" notices are
``konsey.notifications.immediate``.

A briefing starts with what needs the reader ("Needs you": positions to
record, actions owed, reports to acknowledge, reservations, minutes to sign;
``konsey.notifications.needs``), then what happened in each group, repeats
folded and every change saying what changed (``konsey.notifications.happened``).

A run handles users in batches with a fixed number of queries per batch
(users, their runs, memberships, events and the objects they name, one per
kind of need), so its time grows linearly with the number of users.
``DigestRun`` rows and the outbox's dedupe keys (``digest:user:<id>:<period>``)
make every digest happen once, even if the run is repeated or killed half-way;
``DigestRun.last_event_id`` makes every event news once: a digest covers only
events after the newest one the reader's previous digest covered (forced
digests too).
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from konsey.extensions import db
from konsey.mail.outbox import compose, queue_many
from konsey.models import (
    DigestFrequency,
    DigestRun,
    Membership,
    User,
    WorkingGroup,
)
from konsey.notifications import happened, needs, wording
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
        return Period(f"{user.digest.value}:now:{now:%Y%m%dT%H%M%S}", now - span, now)
    if here.hour < DIGEST_HOUR:
        return None
    if user.digest == DigestFrequency.WEEKLY and here.weekday() != 0:
        return None  # weekly digests come on Mondays
    end = here.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return Period(f"{user.digest.value}:{end:%Y-%m-%d}", end - span, end)


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
    done, covered = set(), defaultdict(int)
    for row in db.session.execute(
        select(DigestRun.user_id, DigestRun.period, DigestRun.last_event_id).where(
            DigestRun.user_id.in_(due)
        )
    ):
        done.add((row.user_id, row.period))
        covered[row.user_id] = max(covered[row.user_id], row.last_event_id or 0)
    due = {uid: p for uid, p in due.items() if (uid, p.key) not in done}
    if not due:
        return 0
    users_by_id = {u.id: u for u in users if u.id in due}
    roles = _roles(due)
    group_ids = {gid for by_group in roles.values() for gid in by_group}
    news = happened.load(
        group_ids,
        min(p.start for p in due.values()),
        max(p.end for p in due.values()),
        min(covered[uid] for uid in due),
    )
    waiting = needs.load(list(users_by_id.values()), roles, now)
    groups = {
        g.id: g
        for g in db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(group_ids)))
    }
    messages, runs = [], []
    with _email_context():
        for uid, period in due.items():
            user = users_by_id[uid]
            briefing, newest = _briefing(user, roles[uid], period, covered[uid], news, waiting)
            runs.append(
                {
                    "user_id": uid,
                    "period": period.key,
                    "items": briefing.size,
                    "last_event_id": newest or None,
                    "created_at": now,
                }
            )
            # A forced digest is for news: with nothing new it repeats nothing.
            if briefing.updates or (briefing.needs and not force):
                messages.append(_compose_briefing(briefing, groups))
    _insert_runs(runs)
    return queue_many(messages)


@dataclass
class Briefing:
    user: User
    period: Period
    needs: list = field(default_factory=list)  # wording.Line, most urgent first
    sections: list = field(default_factory=list)  # (group id, [wording.Line])

    @property
    def updates(self) -> int:
        return sum(len(lines) for _, lines in self.sections)

    @property
    def size(self) -> int:
        return len(self.needs) + self.updates


def _briefing(user, roles, period, after, news, waiting) -> tuple[Briefing, int]:
    """The user's briefing, worded in their language; and the newest event it covered."""
    briefing = Briefing(user, period)
    folds, newest = happened.for_user(news, user, roles, period, after)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        briefing.needs = [wording.need_line(n, user) for n in needs.for_user(waiting, user, roles)]
        for gid, entries in folds.items():
            lines = [happened.line(news, events, user) for _, events in entries]
            briefing.sections.append((gid, lines))
    return briefing, newest


def _compose_briefing(briefing: Briefing, groups: dict[int, WorkingGroup]) -> dict:
    user = briefing.user
    sections = sorted(
        ((groups[gid], lines) for gid, lines in briefing.sections), key=lambda s: s[0].name
    )
    return compose(
        user,
        "digest",
        lambda: wording.subject(len(briefing.needs), briefing.updates),
        dedupe_key=f"digest:user:{user.id}:{briefing.period.key}",
        needs=briefing.needs,
        sections=sections,
        period=briefing.period,
        frequency_token=make_token(user),
    )


def _email_context():
    """One request context for a whole batch (links need one): compose would
    otherwise set one up and tear it down for every email."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config["BASE_URL"])


def _roles(user_ids) -> dict[int, dict[int, object]]:
    roles: dict[int, dict[int, object]] = defaultdict(dict)
    for row in db.session.execute(
        select(Membership.user_id, Membership.group_id, Membership.role).where(
            Membership.user_id.in_(user_ids)
        )
    ):
        roles[row.user_id][row.group_id] = row.role
    return roles


def _insert_runs(rows: list[dict]) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(DigestRun)
    db.session.execute(
        insert.values(rows).on_conflict_do_nothing(index_elements=["user_id", "period"])
    )
