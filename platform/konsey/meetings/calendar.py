"""RFC 5545 calendars (icalendar): one meeting's .ics and each user's private feed.

Times are written in UTC (``DTSTART:20171109T070000Z``): every calendar
program understands them without a VTIMEZONE block, and shows them in its
user's zone; the venue's zone is named in LOCATION/DESCRIPTION. The UID never
changes and SEQUENCE rises with every change, so a subscribed calendar
replaces an entry instead of duplicating it. Meetings whose date is not yet
known have no calendar entry.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.models import Meeting, MeetingStatus, User
from konsey.models.base import utcnow

PRODID = "-//Konsey//Konsey meetings//EN"
FEED_PREFIX = "kcal_"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def _summary(meeting: Meeting) -> str:
    name = meeting.title
    if meeting.number and meeting.number not in name:
        name = f"{meeting.number}: {name}"
    return f"{meeting.group.name} — {name}"


def _description(meeting: Meeting, url: str) -> str:
    lines = []
    if meeting.agenda:
        lines.append(_("Agenda:"))
        lines += [f"{item.position}. {item.title}" for item in meeting.agenda]
        lines.append("")
    if meeting.online_url:
        lines.append(_("Online: %(url)s", url=meeting.online_url))
    lines.append(_("Times are set in %(zone)s.", zone=meeting.timezone))
    lines.append(url)
    return "\n".join(lines)


def meeting_event(meeting: Meeting, url: str) -> Event:
    """The VEVENT of a dated meeting; ``url`` is its page."""
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.sequence or 0)
    # Without a METHOD, DTSTAMP is when the entry last changed (RFC 5545 3.8.7.2).
    event.add("dtstamp", meeting.updated_at or utcnow())
    event.add("last-modified", meeting.updated_at or utcnow())
    if meeting.created_at:
        event.add("created", meeting.created_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", _summary(meeting))
    location = meeting.venue or meeting.online_url
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", _description(meeting, url))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_for(
    meetings: Iterable[Meeting], url_of: Callable[[Meeting], str], *, name: str | None = None
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        # How often subscribers should fetch the feed again.
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        if meeting.starts_at is not None and meeting.ends_at is not None:
            calendar.add_component(meeting_event(meeting, url_of(meeting)))
    return calendar.to_ical()


def filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}.ics"


# The private feed ----------------------------------------------------------------
def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_feed_token(actor: audit.Actor, user: User) -> str:
    """A new secret for the user's feed (any old one stops working); shown once."""
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    action = "calendar_feed.reset" if user.calendar_token_hash else "calendar_feed.create"
    user.calendar_token_hash = _hash(secret)
    audit.record(actor, action, user)
    db.session.commit()
    return secret


def revoke_feed_token(actor: audit.Actor, user: User) -> bool:
    if user.calendar_token_hash is None:
        return False
    user.calendar_token_hash = None
    audit.record(actor, "calendar_feed.revoke", user)
    db.session.commit()
    return True


def user_for_feed(secret: str) -> User | None:
    """The active user whose feed the secret opens, or None."""
    if not secret or not secret.startswith(FEED_PREFIX) or len(secret) > 200:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == _hash(secret)))
    if user is None or not user.is_active:
        return None
    return user
