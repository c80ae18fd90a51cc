"""Form helpers shared by the blueprints."""

from __future__ import annotations

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, StopValidation, ValidationError
from wtforms.widgets import Select

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
    """A time zone, typed as an IANA name or a city in any enabled language,
    with suggestions (datalist); after validation ``data`` is the IANA name.
    A stored value is shown as itself, so a form sent back unchanged is valid."""

    def __init__(self, label=None, validators=None, **kwargs):
        hint = _l("A city, such as Astana or Baku, or an IANA name such as Asia/Almaty.")
        kwargs.setdefault("description", hint)
        super().__init__(label, [InputRequired(), *(validators or [])], **kwargs)

    def pre_validate(self, form):
        from konsey.errors import ValidationError as ServiceValidationError

        if not (self.data or "").strip():
            return  # InputRequired says so
        try:
            self.data = check_timezone(self.data)
        except ServiceValidationError as exc:
            raise StopValidation(exc.message) from exc


def timezone_options() -> tuple[str, ...]:
    """The suggestions of a time-zone field, in the reader's language."""
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


class NoticesField(SelectField):
    """How "needs you" notices reach a person (``konsey.models.NoticeMode``)."""

    def __init__(self, label=None, **kwargs):
        super().__init__(
            label,
            choices=[
                ("immediately", _l("Immediately, an email each")),
                ("digest", _l("Only in my digest")),
            ],
            # Not sent (an older form or script): unchanged; a wrong value is
            # the service's to refuse, with its message.
            validate_choice=False,
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


class PlaceholderSelect(Select):
    """A required select whose first option is an empty "Choose…": HTML's
    placeholder label option, without which ``required`` is invalid (a
    select that starts on a real value can never be empty)."""

    def __call__(self, field, **kwargs):
        html = super().__call__(field, **kwargs)
        choices = list(field._iter_choices_normalized())
        if choices and choices[0].value in ("", None):
            return html
        opening, _, rest = html.partition(">")  # Markup's parts stay Markup
        selected = Markup("") if any(c.selected for c in choices) else Markup(" selected")
        return Markup('{}><option value=""{}>{}</option>{}').format(
            opening, selected, _l("Choose…"), rest
        )


class RequiredSelectField(SelectField):
    """A select that must be answered (``required``, with a placeholder option);
    an empty answer is refused like any value that is not a choice."""

    widget = PlaceholderSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, [InputRequired(), *(validators or [])], **kwargs)
