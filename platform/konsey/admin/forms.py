from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from konsey.forms import TimezoneField


class StateForm(FlaskForm):
    code = StringField(
        _l("ISO 3166 code"),
        validators=[
            InputRequired(),
            Length(min=2, max=2, message=_l("Use the two-letter ISO 3166 code, e.g. KZ.")),
        ],
    )
    name = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=120)])
    name_tr = StringField(_l("Name (Turkish)"), validators=[Optional(), Length(max=120)])
    name_ru = StringField(_l("Name (Russian)"), validators=[Optional(), Length(max=120)])
    status = SelectField(
        _l("Status"), choices=[("member", _l("Member")), ("observer", _l("Observer"))]
    )
    capital_timezone = TimezoneField(_l("Capital's time zone"))


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
