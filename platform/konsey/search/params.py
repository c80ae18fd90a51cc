"""A search's filters from plain values (the page's and the API's), checked:
a bad one is refused with the reason, never a server error."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import WorkingGroup
from konsey.search.index import KINDS
from konsey.search.languages import working_language
from konsey.search.query import Filters


def languages() -> list[str]:
    codes = [*(current_app.config.get("DOCUMENT_LANGUAGES") or ()), working_language()]
    return list(dict.fromkeys(codes))


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) != 10:  # fromisoformat also takes 20260331 and week dates
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("Give the date as YYYY-MM-DD, for example 2026-03-31."), field=field
        ) from None


def filters_from(*, kind=None, group=None, language=None, date_from=None, date_to=None) -> Filters:
    """Filters from the query's values; ValidationError names the bad one."""
    kind = (kind or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise ValidationError(
            _("Unknown kind: choose one of %(kinds)s.", kinds=", ".join(KINDS)), field="kind"
        )
    group_id = None
    group = (group or "").strip()
    if group:
        group_id = db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.slug == group[:64]))
        if group_id is None:
            raise ValidationError(
                _("There is no working group %(slug)s.", slug=group[:64]), field="group"
            )
    language = (language or "").strip().lower() or None
    if language is not None and (len(language) > 8 or not language.isalpha()):
        raise ValidationError(_("Give a language code such as ru or tr."), field="language")
    start, end = _day(date_from, "from"), _day(date_to, "to")
    if start and end and end < start:
        raise ValidationError(_("The end date is before the start date."), field="to")
    return Filters(kind, group_id, language, start, end)
