"""A user's own settings."""

from __future__ import annotations

from konsey import audit
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import DigestFrequency, NoticeMode, User
from konsey.validation import check_line, check_locale, check_timezone


def check_digest(value: str, field: str = "digest") -> DigestFrequency:
    try:
        return DigestFrequency(value)
    except ValueError as exc:
        from flask_babel import gettext as _

        raise ValidationError(_("Choose off, immediately, daily or weekly."), field) from exc


def check_notices(value: str, field: str = "notices") -> NoticeMode:
    try:
        return NoticeMode(value)
    except ValueError as exc:
        from flask_babel import gettext as _

        raise ValidationError(_("Choose immediately or only in the digest."), field) from exc


def update_profile(
    actor: audit.Actor,
    user: User,
    *,
    name: str,
    locale: str,
    timezone: str,
    digest: str,
    notices: str | None = None,
) -> None:
    values = {
        "name": check_line(name, "name"),
        "locale": check_locale(locale),
        "timezone": check_timezone(timezone),
        "digest": check_digest(digest),
    }
    if notices is not None:
        values["notices"] = check_notices(notices)
    changed = {k: v for k, v in values.items() if getattr(user, k) != v}
    for key, value in changed.items():
        setattr(user, key, value)
    if changed:
        audit.record(actor, "user.profile_update", user, changed=sorted(changed))
    db.session.commit()
