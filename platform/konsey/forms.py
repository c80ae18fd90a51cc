"""Form helpers shared by the blueprints."""

from __future__ import annotations

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from konsey.errors import ServiceError
from konsey.validation import check_date, check_timezone, timezone_choices


def apply_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's error next to the field it names (or above the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors or []), error.message]
    else:
        form.form_errors.append(error.message)


def page_number(args) -> int:
    """``?page=``: a list's page; anything that is not a sensible page is the first."""
    value = args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


class TimezoneField(StringField):
    """An IANA zone name, typed with suggestions (datalist) and checked."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, [InputRequired(), Length(max=64), *(validators or [])], **kwargs)

    def pre_validate(self, form):
        from konsey.errors import ValidationError as ServiceValidationError

        try:
            check_timezone(self.data or "")
        except ServiceValidationError as exc:
            raise ValidationError(exc.message) from exc


def timezone_options() -> list[str]:
    return timezone_choices()


class DigestField(SelectField):
    def __init__(self, label=None, **kwargs):
        super().__init__(
            label,
            choices=[
                ("off", _l("Off")),
                ("immediately", _l("Immediately")),
                ("daily", _l("Daily")),
                ("weekly", _l("Weekly")),
            ],
            **kwargs,
        )


class DateField(wtforms.DateField):
    """A date a person types, held to the one rule for dates
    (konsey.validation.check_date: years within a sane window)."""

    def pre_validate(self, form):
        from konsey.errors import ValidationError as ServiceValidationError

        if self.data is None:
            return
        try:
            check_date(self.data, self.name)
        except ServiceValidationError as exc:
            raise ValidationError(exc.message) from exc
