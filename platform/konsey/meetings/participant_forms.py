"""Forms of the list of participants (the rules are the service's)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional

from konsey.forms import DateField

SECRETARIAT = "secretariat"


class ParticipantForm(FlaskForm):
    member_state = SelectField(_l("Delegation"), validate_choice=True)
    user = SelectField(
        _l("Konsey account"),
        description=_l("Leave at “No account” for someone without one, and give the name."),
        validate_choice=True,
    )
    name = StringField(_l("Name (without an account)"))
    title = StringField(_l("Title or function"))
    organisation = StringField(_l("Organisation"))
    email = StringField(_l("Email (optional)"))
    is_head = BooleanField(_l("Head of delegation"))
    accreditation_reference = StringField(_l("Accreditation: note verbale reference"))
    accreditation_date = DateField(_l("Accreditation: date of the note verbale"), [Optional()])

    def values(self) -> dict:
        state = self.member_state.data
        return {
            "member_state_id": None if state in (None, "", SECRETARIAT) else int(state),
            "user_id": int(self.user.data) if self.user.data else None,
            "name": self.name.data or "",
            "title": self.title.data or "",
            "organisation": self.organisation.data or "",
            "email": self.email.data or "",
            "is_head": self.is_head.data,
            "accreditation_reference": self.accreditation_reference.data or "",
            "accreditation_date": self.accreditation_date.data,
        }


class ParticipantAttendanceForm(FlaskForm):
    attended = SelectMultipleField(_l("Attended"), coerce=int)
