"""Local times of recipients: "09:00 local" is a different instant in Baku and Bishkek."""

from __future__ import annotations

from datetime import date, datetime

from konsey import timefmt

REMINDER_HOUR = 9  # reminders go out from 09:00 in the recipient's zone
DIGEST_HOUR = 8  # digests from 08:00


def local_now(zone_name: str | None, now: datetime) -> datetime:
    return now.astimezone(timefmt.zone(zone_name))


def local_date(instant: datetime, zone_name: str | None) -> date:
    return timefmt.local(instant, zone_name or "UTC").date()


def reminder_time(zone_name: str | None, now: datetime) -> bool:
    """Is it at least 09:00 where the recipient is?"""
    return local_now(zone_name, now).hour >= REMINDER_HOUR


def days_until(instant: datetime, zone_name: str | None, now: datetime) -> int:
    """Calendar days from today to ``instant``, both as dates in the zone."""
    return (local_date(instant, zone_name) - local_date(now, zone_name)).days
