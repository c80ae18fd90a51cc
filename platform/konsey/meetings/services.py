"""Planning meetings: create, edit, cancel.

Every change is audited in its own transaction; a change to what a calendar
shows raises the meeting's SEQUENCE (its UID never changes), so subscribed
calendars replace the old entry instead of adding a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _

from konsey import audit, validation
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import Meeting, MeetingStatus, WorkingGroup
from konsey.models.base import utcnow
from konsey.validation import check_line, check_timezone

# The fields a meeting is made of (as the service and the API name them).
MEETING_FIELDS = (
    "title",
    "number",
    "starts_at",
    "ends_at",
    "timezone",
    "venue_city",
    "venue_address",
    "online_url",
    "status",
)
_NEW_MEETING = {
    "title": "",
    "number": "",
    "starts_at": None,
    "ends_at": None,
    "timezone": "",
    "venue_city": "",
    "venue_address": "",
    "online_url": "",
    "status": MeetingStatus.PLANNED.value,
}
MAX_LENGTH = timedelta(days=31)


def check_status(value, field: str = "status") -> MeetingStatus:
    try:
        return MeetingStatus(value)
    except ValueError as exc:
        raise ValidationError(_("Choose planned, held or cancelled."), field) from exc


def check_online_url(value: str | None, field: str = "online_url") -> str:
    value = check_line(value, field, required=False, max_length=500)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValidationError(_("Enter a web address that starts with https://."), field)
    return value


def check_instant(value, field: str) -> datetime | None:
    """An aware datetime (any offset) → the same instant in UTC; None stays None."""
    return None if value is None else validation.check_instant(value, field)


local_instant = validation.local_instant


def _clean(values: dict, current: Meeting | None) -> dict:
    """The checked values of ``values`` (only the fields it holds)."""
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field."), sorted(unknown)[0])
    out: dict = {}
    checks = {
        "title": lambda v: check_line(v, "title", max_length=200),
        "number": lambda v: check_line(v, "number", required=False, max_length=60),
        "timezone": lambda v: check_timezone(v or ""),
        "venue_city": lambda v: check_line(v, "venue_city", required=False, max_length=120),
        "venue_address": lambda v: check_line(v, "venue_address", required=False, max_length=300),
        "online_url": check_online_url,
        "status": check_status,
        "starts_at": lambda v: check_instant(v, "starts_at"),
        "ends_at": lambda v: check_instant(v, "ends_at"),
    }
    for name in MEETING_FIELDS:
        if name in values:
            out[name] = checks[name](values[name])
    starts = out["starts_at"] if "starts_at" in out else getattr(current, "starts_at", None)
    ends = out["ends_at"] if "ends_at" in out else getattr(current, "ends_at", None)
    if starts is None and ends is not None:
        raise ValidationError(_("Give the start as well as the end."), "starts_at")
    if starts is not None and ends is None:
        raise ValidationError(_("Give the end as well as the start."), "ends_at")
    if starts is not None and ends <= starts:
        raise ValidationError(_("The meeting must end after it starts."), "ends_at")
    if starts is not None and ends - starts > MAX_LENGTH:
        raise ValidationError(_("A meeting cannot last longer than 31 days."), "ends_at")
    return out


def touch(meeting: Meeting) -> None:
    """The meeting's calendar entry changed: calendars must replace it."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def _details(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def create_meeting(
    actor: audit.Actor, group: WorkingGroup, values: dict, *, add_review: bool = False
) -> Meeting:
    """A new meeting of ``group``; with ``add_review``, its agenda starts with the
    review of what the previous meeting left open."""
    data = _clean({**_NEW_MEETING, **values}, None)
    meeting = Meeting(
        group=group, created_by_id=actor.user_id, sequence=0, updated_at=utcnow(), **data
    )
    db.session.add(meeting)
    if add_review:
        from konsey.meetings import review

        review.add_review_item(meeting)
    audit.record(actor, "meeting.create", meeting, group=group.slug, **_details(data))
    db.session.commit()
    return meeting


def update_meeting(actor: audit.Actor, meeting: Meeting, values: dict) -> list[str]:
    """Change the fields given in ``values``; returns the names of those that changed."""
    data = _clean(values, meeting)
    changed = {k: v for k, v in data.items() if getattr(meeting, k) != v}
    if not changed:
        return []
    if changed.get("status") == MeetingStatus.CANCELLED:
        check_cancellable(meeting)
    for key, value in changed.items():
        setattr(meeting, key, value)
    touch(meeting)
    audit.record(actor, "meeting.update", meeting, sequence=meeting.sequence, **_details(changed))
    db.session.commit()
    return sorted(changed)


def check_cancellable(meeting: Meeting) -> None:
    """A meeting that has taken place (held, or begun) is part of the record:
    it cannot be cancelled (409 with the reason)."""
    from konsey.meetings.display import has_taken_place

    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is already cancelled."), "status")
    if has_taken_place(meeting):
        raise Conflict(_("This meeting has taken place: it can no longer be cancelled."), "status")


def cancel_meeting(actor: audit.Actor, meeting: Meeting) -> None:
    check_cancellable(meeting)
    old = meeting.status
    meeting.status = MeetingStatus.CANCELLED
    touch(meeting)
    audit.record(actor, "meeting.cancel", meeting, old=old, sequence=meeting.sequence)
    db.session.commit()
