"""Rules for values a person types, shared by web forms, the API and the CLI."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from konsey.errors import ValidationError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_CODE_RE = re.compile(r"^[A-Z]{2}$")


def normalize_email(value: str, field: str = "email") -> str:
    value = (value or "").strip()
    try:
        # Deliverability (DNS) is not checked: the secretariat may invite
        # addresses whose domains this server cannot resolve.
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(str(_l("Enter a valid email address.")), field) from exc
    return result.normalized.lower()


def check_password(
    value: str, field: str = "password", *, email: str | None = None, name: str | None = None
) -> str:
    """A new password (the rule lives in ``konsey.auth.passwords``)."""
    from konsey.auth.passwords import check_new_password

    return check_new_password(value, email=email, name=name, field=field)


def check_timezone(value: str, field: str = "timezone") -> str:
    """A time zone as a person names it (an IANA name, or a city or a country in
    any enabled language, see ``konsey.zone_names``) → its IANA name."""
    from konsey import zone_names
    from konsey.place_names import reader_locale

    if value is not None and not isinstance(value, str):
        raise ValidationError(str(_l("Unknown time zone.")), field)
    value = (value or "").strip()
    if len(value) > zone_names.MAX_LENGTH:
        raise ValidationError(
            str(
                _l(
                    "A time zone is at most %(n)d characters: give a city, such as Astana, "
                    "or an IANA name, such as Asia/Almaty.",
                    n=zone_names.MAX_LENGTH,
                )
            ),
            field,
        )
    if text_problem(value, multiline=False):
        raise ValidationError(str(_l("Unknown time zone.")), field)
    found = zone_names.candidates(value, current_app.config["LANGUAGES"]) if value else []
    if len(found) > 1:
        language = reader_locale()
        raise ValidationError(
            str(
                _l(
                    "Several time zones match “%(value)s”: %(choices)s. Choose one of them.",
                    value=value,
                    choices="; ".join(
                        [zone_names.label(zone, language) for zone in found[:12]]
                        + (["…"] if len(found) > 12 else [])
                    ),
                )
            ),
            field,
        )
    if not found:
        raise ValidationError(
            str(
                _l(
                    "Unknown time zone: give a city, such as Astana, or an IANA name, "
                    "such as Asia/Almaty."
                )
            ),
            field,
        )
    try:
        ZoneInfo(found[0])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(str(_l("Unknown time zone.")), field) from exc
    return found[0]


def check_locale(value: str, field: str = "locale") -> str:
    value = (value or "").strip()
    if value not in current_app.config["LANGUAGES"]:
        raise ValidationError(str(_l("Unsupported language.")), field)
    return value


def check_slug(value: str, field: str = "slug") -> str:
    value = (value or "").strip()
    if not SLUG_RE.match(value) or len(value) > 64:
        raise ValidationError(
            str(_l("Use lower-case letters, digits and hyphens (at most 64).")), field
        )
    return value


def check_iso_code(value: str, field: str = "code") -> str:
    value = (value or "").strip().upper()
    if not ISO_CODE_RE.match(value):
        raise ValidationError(str(_l("Use the two-letter ISO 3166 code, e.g. KZ.")), field)
    return value


# Text a person types never holds C0 or C1 control characters (but TAB, LF and
# CR in multi-line text), DEL, NUL or lone surrogates (which no encoding can
# store); a single line (a title, a name: it may end up in a mail header)
# holds no line or paragraph separator and no TAB either.
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why ``value`` cannot be stored as text a person typed, or None."""
    found = (_NOT_IN_TEXT if multiline else _NOT_IN_LINE).search(value)
    if found is None:
        return None
    if not multiline and _NOT_IN_TEXT.search(value) is None:
        return str(_l("Line breaks, tabs and control characters are not allowed here."))
    if _SURROGATE.search(value):
        return str(_l("Unpaired surrogates (U+D800 to U+DFFF) are not text."))
    return str(_l("Control characters are not allowed."))


def check_text(
    value: str,
    field: str,
    *,
    required: bool = True,
    max_length: int = 200,
    multiline: bool = True,
) -> str:
    """Multi-line text (a description, a comment, minutes): the one rule."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(str(_l("Not a valid text.")), field)
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(str(_l("This field is required.")), field)
    if len(value) > max_length:
        raise ValidationError(str(_l("At most %(n)d characters.", n=max_length)), field)
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(problem, field)
    return value


def check_line(value: str, field: str, *, required: bool = True, max_length: int = 200) -> str:
    """A single line (a title, a name, a venue, a reference): no control
    characters at all, CR and LF included."""
    return check_text(value, field, required=required, max_length=max_length, multiline=False)


# Dates and instants a person types: years far from today are typing errors,
# and near the ends of the calendar a time zone's offset overflows it.
MIN_YEAR, MAX_YEAR = 1900, 2200


def _out_of_range(field: str) -> ValidationError:
    return ValidationError(
        str(
            _l(
                "The date is out of range. Give a year from %(first)d to %(last)d.",
                first=MIN_YEAR,
                last=MAX_YEAR,
            )
        ),
        field,
    )


def check_date(value, field: str) -> date:
    """A calendar date (a ``date`` or ``YYYY-MM-DD``) within the years allowed."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(str(_l("Enter a date as YYYY-MM-DD.")), field) from None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise ValidationError(str(_l("Enter a date as YYYY-MM-DD.")), field)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _out_of_range(field)
    return value


def check_instant(value, field: str) -> datetime:
    """An aware instant (any offset; a ``datetime`` or ISO 8601) → the same
    instant in UTC, within the years allowed."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(str(_l("Give the time in ISO 8601.")), field) from None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(str(_l("Give the time with its offset from UTC.")), field)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _out_of_range(field)
    utc = value.astimezone(UTC)
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise _out_of_range(field)
    return utc


def local_instant(day, clock: time, zone_name: str, field: str) -> datetime:
    """A date and wall-clock time typed in a zone → the UTC instant."""
    from konsey.timefmt import zone

    day = check_date(day, field)
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def timezone_choices(language: str | None = None) -> tuple[str, ...]:
    """Suggestions for a time-zone field, in the reader's language."""
    from konsey import zone_names
    from konsey.place_names import reader_locale

    return zone_names.suggestions(reader_locale(language))
