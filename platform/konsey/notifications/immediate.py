"""What goes out within a minute of a change: "needs you" notices and, for
people who chose "immediately" as their digest, one email per other event.

A cursor walks the audit log (``NotificationCursor``); each run derives the
notices of the new events (``konsey.notifications.notices``) and writes them
to the outbox with their dedupe keys, so a repeated or concurrent run sends
nothing twice. An event a notice told someone of is not repeated to them as
"for your information".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from konsey.extensions import db
from konsey.mail.outbox import compose, queue_many
from konsey.models import (
    AuditEvent,
    DigestFrequency,
    NoticeMode,
    NotificationCursor,
    OutboxMessage,
    WorkingGroup,
)
from konsey.notifications import events as event_rules
from konsey.notifications import notice_text
from konsey.notifications import notices as notice_rules
from konsey.notifications.recipients import members_by_group

CURSOR = "immediate"
FLOOR = "immediate.floor"  # events up to this id are history (start_from_now)
# On a database's first run, events younger than this are still told.
FRESH = timedelta(minutes=10)
# How long a transaction may take between writing its event and committing.
LATE_COMMIT = timedelta(minutes=2)


def start_from_now() -> None:
    """What happened so far is history, not news (after loading demo data):
    neither the cursor nor the look back at late commits reaches before it."""
    latest = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    for name in (CURSOR, FLOOR):
        row = db.session.get(NotificationCursor, name, with_for_update=True)
        if row is None:
            db.session.add(NotificationCursor(name=name, last_event_id=latest))
        else:
            row.last_event_id = max(row.last_event_id, latest)


def notice_messages(found: list[notice_rules.Notice]) -> list[dict]:
    """The emails of the notices whose recipients want them now (not only in
    their digest), skipping any already in the outbox."""
    wanted = [n for n in found if n.user.notices == NoticeMode.IMMEDIATELY]
    existing = existing_keys([n.key for n in wanted])
    messages = []
    for notice in wanted:
        if notice.key in existing:
            continue
        message = compose(
            notice.user,
            "notice",
            notice.subject,
            dedupe_key=notice.key,
            notice=notice,
            kind=notice.kind,
            describe=notice_text.content,
            **notice.context,
        )
        message["about"] = notice.about
        messages.append(message)
    return messages


def run(now: datetime, limit: int = 1000) -> int:
    """Tell people of the events since the last run; returns how many emails
    were queued."""
    cursor = db.session.get(NotificationCursor, CURSOR, with_for_update=True)
    if cursor is None:
        # The first run on a database: older history is no news (no flood of
        # old mail), but the change that woke this run is.
        latest = db.session.scalar(
            select(func.max(AuditEvent.id)).where(AuditEvent.created_at < now - FRESH)
        )
        db.session.add(NotificationCursor(name=CURSOR, last_event_id=latest or 0))
        db.session.commit()
        cursor = db.session.get(NotificationCursor, CURSOR, with_for_update=True)
    floor_row = db.session.get(NotificationCursor, FLOOR)
    floor = floor_row.last_event_id if floor_row is not None else 0
    wanted = sorted(set(event_rules.DIGEST_ACTIONS) | set(notice_rules.RULES))
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            # Also the last moments again: a transaction that took its event
            # id before the last run but committed after it is not skipped
            # (the dedupe keys make the second look harmless).
            or_(
                AuditEvent.id > cursor.last_event_id,
                and_(AuditEvent.created_at >= now - LATE_COMMIT, AuditEvent.id > floor),
            ),
            AuditEvent.action.in_(wanted),
            AuditEvent.group_id.is_not(None),
        )
        .order_by(AuditEvent.id)
        .limit(limit)
    ).all()
    newest = db.session.scalar(select(func.max(AuditEvent.id))) or cursor.last_event_id
    if events and len(events) == limit:
        newest = events[-1].id
    found = notice_rules.derive(events)
    messages = notice_messages(found)
    told = {(n.event_id, n.user.id) for n in found if n.user.notices == NoticeMode.IMMEDIATELY}
    messages += _information(events, told)
    queued = queue_many(messages)
    cursor.last_event_id = max(cursor.last_event_id, newest)
    db.session.commit()
    return queued


def _information(events: list[AuditEvent], told: set[tuple[int, int]]) -> list[dict]:
    """One email per event for those who chose "immediately" as their digest."""
    events = [e for e in events if e.action in event_rules.LABELS]
    if not events:
        return []
    context = event_rules.load_objects(events)
    members = members_by_group({e.group_id for e in events})
    groups = {
        g.id: g
        for g in db.session.scalars(
            select(WorkingGroup).where(WorkingGroup.id.in_({e.group_id for e in events}))
        )
    }
    sent = existing_keys(
        [
            f"event:{e.id}:user:{m.user.id}"
            for e in events
            for m in members[e.group_id]
            if m.user.digest == DigestFrequency.IMMEDIATELY
        ]
    )
    messages = []
    for event in events:
        for membership in members[event.group_id]:
            user = membership.user
            if user.digest != DigestFrequency.IMMEDIATELY or user.id == event.actor_id:
                continue
            if (event.id, user.id) in told or f"event:{event.id}:user:{user.id}" in sent:
                continue
            item = event_rules.describe(event, user, membership.role, context)
            if item is None:
                continue
            messages.append(
                compose(
                    user,
                    "event",
                    lambda i=item, g=groups[event.group_id]: str(
                        _l("%(group)s: %(what)s", group=g.name, what=str(i.label))
                    ),
                    dedupe_key=f"event:{event.id}:user:{user.id}",
                    item=item,
                    group=groups[event.group_id],
                )
            )
    return messages


def existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        found.update(
            db.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
            )
        )
    return found
