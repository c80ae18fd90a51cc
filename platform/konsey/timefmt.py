"""Instants shown where people are: the venue's local time and the viewer's.

How an instant is written is one rule, here: the reader's locale's CLDR
patterns (through Babel), to the minute. Babel's own "medium", "long" and
"full" date-time formats carry seconds in most locales ("9 нояб. 2017 г.,
07:00:05"); a person reading a meeting's start or a deadline does not need
them, so every format below but "precise" joins the locale's date pattern of
that length with its *short* time pattern, by the locale's own glue pattern
(``Locale.datetime_formats``). "precise" keeps the seconds, for what is
evidence: the audit log, a signature, a recorded position, an agreement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel import dates as babel_dates
from flask import current_app, has_app_context
from flask_babel import format_date, get_locale, to_user_timezone

# format name → (the locale's date pattern, its time pattern). Only "precise"
# shows seconds.
FORMATS = {
    "short": ("short", "short"),
    "medium": ("medium", "short"),
    "long": ("long", "short"),
    "full": ("full", "short"),
    "precise": ("medium", "medium"),
}


def _locale() -> Locale:
    chosen = get_locale() if has_app_context() else None
    if chosen is not None:
        return chosen
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en") if has_app_context() else "en"
    return Locale.parse(default)


def format_datetime(moment: datetime, fmt: str = "medium", rebase: bool = True) -> str:
    """``moment`` in the reader's language by the rule above; with ``rebase``,
    first moved to the reader's zone (as Flask-Babel does). A name not in
    FORMATS is taken as an LDML pattern of its own."""
    if rebase:
        moment = to_user_timezone(moment)
    locale = _locale()
    # Naive wall-clock parts: Babel formats them as they are, in no other zone.
    clock = moment.replace(tzinfo=None)
    if fmt not in FORMATS:
        return babel_dates.format_datetime(clock, fmt, locale=locale)
    date_kind, time_kind = FORMATS[fmt]
    glue = str(locale.datetime_formats.get(date_kind) or "{1} {0}")
    # Babel's own way to join them: the glue's quotes (e.g. "{1} 'at' {0}") dropped.
    return (
        glue.replace("'", "")
        .replace("{0}", babel_dates.format_time(clock, time_kind, locale=locale))
        .replace("{1}", babel_dates.format_date(clock.date(), date_kind, locale=locale))
    )


def clock(moment: datetime) -> str:
    """The wall-clock time of ``moment`` as it is (not moved to another zone),
    by the locale's short time pattern ("10:00", "10:00 AM")."""
    return babel_dates.format_time(moment.replace(tzinfo=None), "short", locale=_locale())


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
