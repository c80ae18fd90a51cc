"""Forms of the minutes page. Field names differ from form to form, so that
every field on the page has its own id (labels and errors stay tied to it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from konsey.forms import DateField
from konsey.minutes.services import MAX_COMMENT, MAX_DECISION, MAX_NOTE, MAX_RESERVATION, MAX_TEXT

VERSION_RANGE = NumberRange(min=1, max=2**31 - 1, message=_l("Not a version of these minutes."))


class VersionForm(FlaskForm):
    text = TextAreaField(
        _l("Text of the minutes (Markdown)"), validators=[InputRequired(), Length(max=MAX_TEXT)]
    )
    note = StringField(_l("What changed (optional)"), validators=[Length(max=MAX_NOTE)])
    # Only needed when circulated minutes get a new version after the deadline.
    new_deadline_date = DateField(_l("New comment deadline: date"), validators=[Optional()])
    new_deadline_time = TimeField(_l("New comment deadline: time"), validators=[Optional()])
    # The version the writer started from: another written meanwhile → 409.
    base_version = IntegerField(validators=[Optional(), VERSION_RANGE])


class CirculateForm(FlaskForm):
    deadline_date = DateField(_l("Comment deadline: date"), validators=[InputRequired()])
    deadline_time = TimeField(_l("Comment deadline: time"), validators=[InputRequired()])
    silence_procedure = BooleanField(_l("Silence procedure"))


class CommentForm(FlaskForm):
    comment = TextAreaField(
        _l("Your comment"), validators=[InputRequired(), Length(max=MAX_COMMENT)]
    )


class PositionForm(FlaskForm):
    version = IntegerField(_l("Version"), validators=[InputRequired(), VERSION_RANGE])
    position = RadioField(
        _l("Position"),
        choices=[("agree", _l("Agree")), ("reservation", _l("Reservation"))],
        validators=[InputRequired(message=_l("Choose agree or reservation."))],
    )
    reservation_text = TextAreaField(
        _l("Reservation (required for a reservation)"),
        validators=[Length(max=MAX_RESERVATION)],
    )


class DecisionForm(FlaskForm):
    decision = TextAreaField(_l("Decision"), validators=[InputRequired(), Length(max=MAX_DECISION)])
    agenda_item = SelectField(_l("Agenda item"), coerce=int, default=0, validate_choice=False)


class SignForm(FlaskForm):
    version = IntegerField(_l("Version"), validators=[InputRequired(), VERSION_RANGE])
