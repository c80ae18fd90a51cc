"""Forms of the action pages, and the list filters read from a query string."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from konsey.actions.labels import PRIORITY_LABELS, STATUS_LABELS
from konsey.actions.queries import NO_STATE, ActionFilter
from konsey.actions.services import COMMENT_MAX, DESCRIPTION_MAX, REFERENCE_MAX, TITLE_MAX
from konsey.errors import ValidationError
from konsey.forms import DateField
from konsey.models import ActionStatus
from konsey.validation import ISO_CODE_RE, check_date

MAX_DUE_WITHIN_DAYS = 3660


def _int_or_zero(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ActionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    owner_state = SelectField(_l("Owed by member state"), coerce=_int_or_zero, default=0)
    assignee = SelectField(_l("Owed by person"), coerce=_int_or_zero, default=0)
    due_date = DateField(_l("Due date"), validators=[InputRequired()])
    confirm_past_due = BooleanField(_l("Yes, the due date is in the past"))
    priority = SelectField(
        _l("Priority"),
        choices=[(p.value, label) for p, label in PRIORITY_LABELS.items()],
        default="normal",
    )
    meeting = SelectField(_l("From meeting"), coerce=_int_or_zero, default=0)
    agenda_item = SelectField(_l("From agenda item"), coerce=_int_or_zero, default=0)
    decision = SelectField(_l("From decision"), coerce=_int_or_zero, default=0)
    confirm_duplicate = BooleanField(_l("Create another action for this decision"))


def action_fields(form: ActionForm) -> dict:
    """What the create and edit forms give the services, in their terms."""
    from konsey.extensions import db
    from konsey.models import MemberState, User

    owner = form.owner_state.data
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "owner_state": db.session.get(MemberState, owner) if owner else None,
        "assignee": db.session.get(User, form.assignee.data) if form.assignee.data else None,
        "due_date": form.due_date.data,
        "priority": form.priority.data,
        "meeting_id": form.meeting.data or None,
        "agenda_item_id": form.agenda_item.data or None,
        "confirm_past_due": form.confirm_past_due.data,
    }


class EditForm(ActionForm):
    comment = TextAreaField(
        _l("Comment on the change (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
    )


class UpdateForm(FlaskForm):
    status = SelectField(_l("Status"), validate_choice=False)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX)])
    reference = StringField(
        _l("Reference (e.g. note verbale number and date)"),
        validators=[Optional(), Length(max=REFERENCE_MAX)],
    )
    document = SelectField(_l("Attach a document of the group"), coerce=_int_or_zero, default=0)
    # The status the page showed: a change made meanwhile is a 409, not a surprise.
    seen_status = HiddenField()


class ReportForm(FlaskForm):
    """A delegation reports the action done, with its note verbale and evidence."""

    reference = StringField(
        _l("Reference (the note verbale's number and date)"),
        validators=[Optional(), Length(max=REFERENCE_MAX)],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX)])
    # Read from request.files by the route, in chunks; checked by the document rules.
    file = FileField(_l("Evidence (a scan of the note verbale, optional)"))
    visibility = SelectField(_l("Who may read the evidence"), validate_choice=False)
    language = SelectField(_l("Language of the evidence"), validate_choice=False)


class SettleForm(FlaskForm):
    """A coordinator acknowledges a report or sends it back."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX)])


def status_choices(current: ActionStatus, moves) -> list[tuple[str, str]]:
    keep = [(current.value, _("%(status)s (unchanged)", status=STATUS_LABELS[current]))]
    return keep + [(s.value, str(STATUS_LABELS[s])) for s in ActionStatus if s in moves]


def parse_filter(args) -> ActionFilter:
    """The list filters of a query string; a malformed value raises ValidationError."""
    f = ActionFilter()
    state = args.get("state", "").strip()
    if state:
        if state != NO_STATE and not ISO_CODE_RE.match(state.upper()):
            raise ValidationError(_("Filter by a two-letter state code, e.g. KZ."), "state")
        f.state = state if state == NO_STATE else state.upper()
    for value in args.getlist("status"):
        if not value:
            continue
        try:
            f.statuses.append(ActionStatus(value))
        except ValueError:
            raise ValidationError(_("Unknown status."), "status") from None
    overdue = args.get("overdue", "")
    if overdue:
        if overdue not in ("1", "0", "true", "false", "yes", "no"):
            raise ValidationError(_("Use overdue=1 or overdue=0."), "overdue")
        f.overdue = overdue in ("1", "true", "yes")
    f.assignee_id = _positive(args, "person")
    f.meeting_id = _positive(args, "meeting")
    due_within = args.get("due_within", "").strip()
    if due_within:
        if not due_within.isdigit() or int(due_within) > MAX_DUE_WITHIN_DAYS:
            raise ValidationError(
                _("Due within: a number of days from 0 to %(n)d.", n=MAX_DUE_WITHIN_DAYS),
                "due_within",
            )
        f.due_within = int(due_within)
    due_before = args.get("due_before", "").strip()
    if due_before:
        f.due_before = parse_date(due_before, "due_before")
    f.descending = args.get("sort") == "-due"
    return f


def _positive(args, name: str) -> int | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 10 or int(value) > 2**31 - 1:
        raise ValidationError(_("Not a valid choice."), name)
    return int(value)


def parse_date(value: str, field: str) -> date:
    return check_date(value, field)
