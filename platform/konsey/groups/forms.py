from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

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
    # The list offers people not yet in the group; anyone else is checked by
    # the service, which says why (already a member, deactivated…).
    user = SelectField(
        _l("Person"), coerce=int, validators=[InputRequired()], validate_choice=False
    )
    member_state = SelectField(_l("Delegation"), coerce=int, default=0)
    role = SelectField(_l("Role"), validators=[InputRequired()])


class ChangeRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])


class RemoveMemberForm(FlaskForm):
    pass
