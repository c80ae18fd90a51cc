from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.validators import InputRequired, Length

from konsey.forms import RequiredSelectField
from konsey.models import Role

ROLE_LABELS = {
    Role.COORDINATOR: _l("Coordinator"),
    Role.HEAD: _l("Head of delegation"),
    Role.DELEGATE: _l("Delegate"),
    Role.EXPERT: _l("Expert"),
    Role.OBSERVER: _l("Observer"),
}


def role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class AddMemberForm(FlaskForm):
    # Typed, not picked from a list of every account (thousands); a datalist
    # suggests likely people. The service says why anyone else is refused
    # (no such account, already a member, deactivated…).
    email = EmailField(_l("Email of the person"), validators=[InputRequired(), Length(max=254)])
    member_state = SelectField(_l("Delegation"), coerce=int, default=0)
    role = RequiredSelectField(_l("Role"))


class ChangeRoleForm(FlaskForm):
    role = RequiredSelectField(_l("Role"))


class RemoveMemberForm(FlaskForm):
    pass
