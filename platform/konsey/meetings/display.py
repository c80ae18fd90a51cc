"""A meeting's time as people read it: in the venue's zone, named, and in the
viewer's own zone when that shows a different clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_login import current_user

from konsey.timefmt import clock, differs, format_datetime, local, zone_label


@dataclass(frozen=True)
class When:
    venue: str  # e.g. "Nov 9, 2017, 10:00–12:30 Europe/Istanbul"
    viewer: str | None  # e.g. "Nov 9, 2017, 13:00–15:30 Asia/Almaty (your time)"

    def __str__(self) -> str:
        return f"{self.venue} · {self.viewer}" if self.viewer else self.venue


def _span(starts: datetime, ends: datetime, zone_name: str, fmt: str) -> str:
    """By the locale's patterns (konsey.timefmt): the start's date and time,
    the end's time (and date, when another day), to the minute."""
    start, end = local(starts, zone_name), local(ends, zone_name)
    # Local clock times: formatted as they are, not moved to another zone.
    first = format_datetime(start, fmt, rebase=False)
    last = clock(end) if end.date() == start.date() else format_datetime(end, fmt, rebase=False)
    return f"{first}–{last} {zone_label(start, zone_name)}"


def when(meeting, viewer_zone: str | None = None, fmt: str = "medium") -> When | None:
    """None while the meeting's date is not yet known."""
    if meeting.starts_at is None or meeting.ends_at is None:
        return None
    if viewer_zone is None and getattr(current_user, "is_authenticated", False):
        viewer_zone = current_user.timezone
    venue = _span(meeting.starts_at, meeting.ends_at, meeting.timezone, fmt)
    viewer = None
    if (
        viewer_zone
        and viewer_zone != meeting.timezone
        and differs(meeting.starts_at, meeting.timezone, viewer_zone)
    ):
        viewer = _(
            "%(time)s (your time)", time=_span(meeting.starts_at, meeting.ends_at, viewer_zone, fmt)
        )
    return When(venue=venue, viewer=viewer)


def _number_in_title(meeting) -> bool:
    number = (meeting.number or "").strip()
    return not number or number.casefold() in (meeting.title or "").casefold()


def name(meeting) -> str:
    """ "3rd Meeting · Cyber Security Working Group"; the title alone when it
    already names the number ("3rd Meeting of the Ministers…"), so a heading,
    a list, an email or the page's <title> never says the number twice."""
    if _number_in_title(meeting):
        return meeting.title
    return f"{meeting.number} · {meeting.title}"


def name_in_sentence(meeting) -> str:
    """ "Cyber Security Working Group (3rd Meeting)", for emails and notices;
    likewise the title alone when it names the number."""
    if _number_in_title(meeting):
        return meeting.title
    return f"{meeting.title} ({meeting.number})"


def has_taken_place(meeting, now: datetime | None = None) -> bool:
    """The meeting is held, or has begun: it can no longer be cancelled."""
    from konsey.models import MeetingStatus
    from konsey.models.base import utcnow

    if meeting.status == MeetingStatus.HELD:
        return True
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at is None:
        return False
    return meeting.starts_at <= (now or utcnow())


def action_status_label(status) -> str:
    """An action's status as people read it; a status this code does not know
    yet reads as its own name rather than failing."""
    from konsey.actions.labels import STATUS_LABELS

    label = STATUS_LABELS.get(status)
    if label is not None:
        return str(label)
    return str(getattr(status, "value", status)).replace("_", " ")


def minutes_status_label(status) -> str:
    labels = {
        "draft": _("draft"),
        "circulated": _("circulated"),
        "agreed": _("agreed"),
        "signed": _("signed"),
    }
    value = str(getattr(status, "value", status))
    return labels.get(value, value)


def kind_label(kind) -> str:
    from konsey.documents.forms import KIND_LABELS

    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else str(getattr(kind, "value", kind))
