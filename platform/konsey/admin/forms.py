from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from konsey.forms import TimezoneField
from konsey.place_names import language_name


class StateForm(FlaskForm):
    code = StringField(
        _l("ISO 3166 code"),
        validators=[
            InputRequired(),
            Length(min=2, max=2, message=_l("Use the two-letter ISO 3166 code, e.g. KZ.")),
        ],
    )
    name = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=120)])
    status = SelectField(
        _l("Status"), choices=[("member", _l("Member")), ("observer", _l("Observer"))]
    )
    capital_timezone = TimezoneField(_l("Capital's time zone"))


def official_name_field(language: str) -> str:
    return f"name_{language}"


def state_form(languages, **kwargs) -> StateForm:
    """The member-state form with an official-name field per enabled language
    but English (whose name is ``name``); checked by the service (check_line)."""

    class Form(StateForm):
        pass

    for code in languages:
        if code != "en":
            label = _("Official name in %(language)s", language=language_name(code))
            setattr(Form, official_name_field(code), StringField(label))
    return Form(**kwargs)


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    member_state = SelectField(_l("Member state"), coerce=int, default=0)
    locale = SelectField(_l("Language"))
    timezone = TimezoneField(_l("Time zone"), default="UTC")
    is_admin = BooleanField(_l("Administrator"))


class GroupForm(FlaskForm):
    slug = StringField(
        _l("Short name (in addresses)"), validators=[InputRequired(), Length(max=64)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    mandate = TextAreaField(_l("Mandate"), validators=[Optional(), Length(max=10000)])
    # Checked by the service (konsey.documents.symbols), with the reason.
    symbol_pattern = StringField(_l("Symbol pattern of official documents"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only a CSRF token."""
