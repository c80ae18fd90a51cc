"""Instants shown where people are: the venue's local time and the viewer's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import format_datetime


def zone(name: str | None) -> ZoneInfo:
    """The named zone, or UTC when the name is unknown (old or damaged data)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(zone(zone_name))


def to_utc(day: date, clock: time, zone_name: str) -> datetime:
    """A wall-clock time in a zone → the UTC instant."""
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def show(instant: datetime | None, zone_name: str, fmt: str = "medium") -> str:
    """e.g. "9 Nov 2017, 10:00 (Europe/Istanbul)" in the page's language."""
    if instant is None:
        return ""
    return f"{format_datetime(local(instant, zone_name), fmt, rebase=False)} ({zone_name})"


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
