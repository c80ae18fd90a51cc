"""Instants shown where people are: the venue's local time and the viewer's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import format_date, format_datetime


def zone(name: str | None) -> ZoneInfo:
    """The named zone, or UTC when the name is unknown (old or damaged data)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(instant: datetime, zone_name: str) -> datetime:
    """The instant on the zone's clock; in UTC when the zone's offset would
    carry it past the calendar's ends (legacy data near year 1 or 9999)."""
    try:
        return instant.astimezone(zone(zone_name))
    except (OverflowError, ValueError):
        return instant.astimezone(UTC)


def zone_label(moment: datetime, zone_name: str) -> str:
    """The name of the zone ``moment`` (from ``local``) is really shown in."""
    # An unknown name in old data was shown in UTC: say so, not the bad name.
    return moment.tzinfo.key if isinstance(moment.tzinfo, ZoneInfo) else "UTC"


def to_utc(day: date, clock: time, zone_name: str) -> datetime:
    """A wall-clock time in a zone → the UTC instant."""
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def show(instant: datetime | None, zone_name: str, fmt: str = "medium") -> str:
    """e.g. "9 Nov 2017, 10:00 (Europe/Istanbul)" in the page's language."""
    if instant is None:
        return ""
    moment = local(instant, zone_name)
    return f"{format_datetime(moment, fmt, rebase=False)} ({zone_label(moment, zone_name)})"


def safe_datetimeformat(value: datetime | None, fmt: str = "medium") -> str:
    """Jinja's ``datetimeformat`` (in the viewer's zone), never failing on a
    stored instant that the zone's offset carries off the calendar."""
    if value is None:
        return ""
    try:
        return format_datetime(value, fmt)
    except (OverflowError, ValueError):
        return f"{format_datetime(value, fmt, rebase=False)} (UTC)"


def safe_dateformat(value, fmt: str = "medium") -> str:
    if value is None:
        return ""
    try:
        return format_date(value, fmt)
    except (OverflowError, ValueError):
        return format_date(
            value.date() if isinstance(value, datetime) else value, fmt, rebase=False
        )


def machine(value: date | datetime | None) -> str:
    """The ``datetime`` attribute of ``<time>``: a valid HTML date, or global
    date and time string in UTC with whole seconds ("2017-11-09T07:00:00Z");
    Python's isoformat() would add microseconds, which HTML does not allow."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored instants are UTC
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def differs(instant: datetime, zone_a: str, zone_b: str) -> bool:
    """Do two zones show this instant differently (offset at that moment)?"""
    return local(instant, zone_a).utcoffset() != local(instant, zone_b).utcoffset()


def meeting_when(meeting, viewer_zone: str | None) -> str:
    """A meeting's start in the venue's zone, and the viewer's when different."""
    if meeting.starts_at is None:
        return ""
    text = show(meeting.starts_at, meeting.timezone)
    if viewer_zone and differs(meeting.starts_at, meeting.timezone, viewer_zone):
        text += f" · {show(meeting.starts_at, viewer_zone, 'short')}"
    return text
