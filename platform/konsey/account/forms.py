from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from konsey.forms import DigestField, NoticesField, RequiredSelectField, TimezoneField


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    locale = RequiredSelectField(_l("Language"))
    timezone = TimezoneField(_l("Time zone"))
    notices = NoticesField(_l("When something needs you"))
    digest = DigestField(_l("Email digest"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(), Length(max=1024)]
    )
    password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class TokenForm(FlaskForm):
    # Its own id: the profile form on the same page has a field "name" too,
    # and two id="name" would tie both labels to the profile's field.
    name = StringField(
        _l("Token name"), validators=[InputRequired(), Length(max=100)], id="token-name"
    )
    scope = SelectField(
        _l("Access"),
        choices=[
            ("read-only", _l("Read only")),
            ("read-write", _l("Read and write (acts as you)")),
        ],
        default="read-only",
    )
    expires_in_days = SelectField(
        _l("Expires after"),
        choices=[
            (7, _l("7 days")),
            (30, _l("30 days")),
            (90, _l("90 days")),
            (180, _l("180 days")),
            (365, _l("1 year")),
        ],
        coerce=int,
        default=90,
    )
    # A token acts as its user for months: the session proves itself again.
    password = PasswordField(
        _l("Confirm with your password"),
        validators=[InputRequired(), Length(max=1024)],
        id="token-password",
    )


class TwoFactorCodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"), validators=[InputRequired(), Length(max=64)]
    )


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[InputRequired(), Length(max=64)],
    )
