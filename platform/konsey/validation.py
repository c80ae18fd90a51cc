"""Rules for values a person types, shared by web forms, the API and the CLI."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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
    value = (value or "").strip()
    if value not in _timezones():
        raise ValidationError(
            str(_l("Unknown time zone; use an IANA name such as Asia/Almaty.")), field
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(str(_l("Unknown time zone.")), field) from exc
    return value


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


def check_text(value: str, field: str, *, required: bool = True, max_length: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(str(_l("This field is required.")), field)
    if len(value) > max_length:
        raise ValidationError(str(_l("At most %(n)d characters.", n=max_length)), field)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValidationError(str(_l("Control characters are not allowed.")), field)
    return value


_TZ_CACHE: frozenset[str] | None = None


def _timezones() -> frozenset[str]:
    global _TZ_CACHE
    if _TZ_CACHE is None:
        _TZ_CACHE = frozenset(available_timezones())
    return _TZ_CACHE


def timezone_choices() -> list[str]:
    return sorted(_timezones())
