"""Reminders before things fall due, each at 09:00 in the recipient's zone.

Comment deadlines of minutes are told by the ``minutes.deadline_soon``
notice (``konsey.notifications.notices``), which this scan sends.

A scan looks at everything coming up in a window with a few queries, works
out who should hear what today, and writes the messages with dedupe keys
such as ``reminder:meeting:42:7d:user:7`` — a key already in the outbox is
skipped, so running the scan often (or twice at once) sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from konsey.extensions import db
from konsey.mail.outbox import compose, queue_many
from konsey.models import (
    Meeting,
    MeetingStatus,
    User,
)
from konsey.notifications.clock import days_until, reminder_time
from konsey.notifications.recipients import members_by_group


@dataclass
class Reminder:
    dedupe_key: str
    user: User
    template: str
    subject: Callable[[], str]
    context: dict = field(default_factory=dict)


# Other areas (action items) add their sources here.
SOURCES: list[Callable[[datetime], Iterable[Reminder]]] = []


def source(func):
    SOURCES.append(func)
    return func


@source
def meeting_reminders(now: datetime) -> Iterable[Reminder]:
    """Group members hear of a meeting 7 days and 1 day before it starts."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > now,
            Meeting.starts_at < now + timedelta(days=9),
        )
        .options(selectinload(Meeting.agenda), selectinload(Meeting.group))
    ).all()
    members = members_by_group(m.group_id for m in meetings)
    for meeting in meetings:
        for membership in members[meeting.group_id]:
            user = membership.user
            if not reminder_time(user.timezone, now):
                continue
            days = days_until(meeting.starts_at, user.timezone, now)
            if days not in (7, 1):
                continue
            yield Reminder(
                dedupe_key=f"reminder:meeting:{meeting.id}:{days}d:{meeting.starts_at:%Y%m%d%H%M}"
                f":user:{user.id}",
                user=user,
                template="reminder_meeting",
                subject=lambda m=meeting, d=days: str(
                    _l("Reminder: %(title)s in %(days)d day(s)", title=m.title, days=d)
                ),
                context={"meeting": meeting, "days": days},
            )


def _action_kind(days_left: int) -> str | None:
    """7 and 1 days before, the first day overdue, then weekly while overdue."""
    if days_left in (7, 1):
        return f"due-{days_left}d"
    late = -days_left
    if late == 1:
        return "overdue"
    if late > 1 and (late - 1) % 7 == 0:
        return f"overdue-{late}d"
    return None


@source
def action_reminders(now: datetime) -> Iterable[Reminder]:
    """The person, or the owing state's delegation in the group, hears of an
    action item before it falls due and while it is overdue."""
    from sqlalchemy.orm import joinedload

    from konsey.actions.overdue import local_today
    from konsey.models import PENDING_STATUSES, ActionItem
    from konsey.notifications.events import owes

    horizon = now.date() + timedelta(days=8)
    items = db.session.scalars(
        select(ActionItem)
        .where(ActionItem.status.in_(PENDING_STATUSES), ActionItem.due_date <= horizon)
        .options(
            joinedload(ActionItem.owner_state),
            joinedload(ActionItem.assignee),
            joinedload(ActionItem.group),
        )
    ).all()
    members = members_by_group(i.group_id for i in items)
    for item in items:
        kind = _action_kind((item.due_date - local_today(item.owner_timezone, now)).days)
        if kind is None:
            continue
        for membership in members[item.group_id]:
            user = membership.user
            if not owes(item, user, membership.role) or not reminder_time(user.timezone, now):
                continue
            yield Reminder(
                dedupe_key=f"reminder:action:{item.id}:{kind}:{item.due_date:%Y%m%d}"
                f":user:{user.id}",
                user=user,
                template="reminder_action",
                subject=lambda i=item, k=kind: str(
                    _l("Overdue: %(title)s", title=i.title)
                    if k.startswith("overdue")
                    else _l(
                        "Due on %(date)s: %(title)s",
                        date=format_date(i.due_date, "medium"),
                        title=i.title,
                    )
                ),
                context={"item": item, "kind": kind},
            )


def scan(now: datetime) -> int:
    """Queue every reminder due at ``now``; returns how many were new."""
    from konsey.models import NoticeMode
    from konsey.notifications import immediate, notices

    # Reminders are "needs you" mail: whoever asked for those only in the
    # digest finds them there (and on the home page), not as emails.
    reminders = [
        r for source_ in SOURCES for r in source_(now) if r.user.notices == NoticeMode.IMMEDIATELY
    ]
    # Skip what was sent before rendering it; the insert's "on conflict do
    # nothing" still guards against a concurrent scan.
    existing = immediate.existing_keys([r.dedupe_key for r in reminders])
    messages = [
        compose(r.user, r.template, r.subject, dedupe_key=r.dedupe_key, **r.context)
        for r in reminders
        if r.dedupe_key not in existing
    ]
    # Two days before a comment deadline: ``minutes.deadline_soon``.
    messages += immediate.notice_messages(notices.deadline_notices(now))
    queued = queue_many(messages)
    db.session.commit()
    return queued
