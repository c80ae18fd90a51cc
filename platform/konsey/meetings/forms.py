from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from konsey.forms import DateField, TimezoneField

STATUS_LABELS = {
    "planned": _l("Planned"),
    "held": _l("Held"),
    "cancelled": _l("Cancelled"),
}


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=60)])
    date_unknown = BooleanField(_l("The date is not yet known"))
    date = DateField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("Starts at"), validators=[Optional()])
    end_date = DateField(_l("Last day (if not the same day)"), validators=[Optional()])
    end_time = TimeField(_l("Ends at"), validators=[Optional()])
    timezone = TimezoneField(_l("Time zone of the venue"))
    venue_city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    venue_address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Online meeting link"), validators=[Optional(), Length(max=500)])
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()), default="planned")


class NewMeetingForm(MeetingForm):
    add_review = BooleanField(
        _l("Start the agenda with “Review of previous decisions and open actions”"),
        default=True,
    )


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    lead_state = SelectField(_l("Lead member state"), coerce=int, default=0)
    lead_user = SelectField(_l("Lead person"), coerce=int, default=0)
    duration_minutes = IntegerField(
        _l("Planned duration (minutes)"),
        validators=[Optional(), NumberRange(min=1, max=24 * 60)],
    )
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=20000)])


class MoveForm(FlaskForm):
    direction = SelectField(choices=[("up", _l("Up")), ("down", _l("Down"))])


class AttendanceForm(FlaskForm):
    attended = SelectMultipleField(_l("Attended"), coerce=int)


class ConfirmForm(FlaskForm):
    """A button that changes something: only a CSRF token."""
