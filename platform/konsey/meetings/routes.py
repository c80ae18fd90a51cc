"""Meetings of a group: list, page with agenda, planning, attendance, calendars.

Each view loads (404), checks access (403), then calls a service. The agenda,
attendance and calendar views live in their own modules on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey import confirm, policy
from konsey.errors import ServiceError, ValidationError
from konsey.extensions import db
from konsey.forms import apply_service_error, timezone_options
from konsey.groups import queries as group_queries
from konsey.meetings import (
    attendance,
    display,
    participant_list,
    queries,
    services,
    workspace,
)
from konsey.meetings.forms import STATUS_LABELS, ConfirmForm, MeetingForm, NewMeetingForm
from konsey.models import Meeting
from konsey.policy import Action
from konsey.text import render_markdown
from konsey.timefmt import local
from konsey.web import current_actor, require

bp = Blueprint("meetings", __name__)

# The form's names for the service's fields, where they differ.
FORM_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


bp.add_app_template_global(display.name, "meeting_display_name")
bp.add_app_template_global(display.name_in_sentence, "meeting_sentence_name")


@bp.app_context_processor
def _meeting_helpers():
    return {
        "meeting_when": display.when,
        "render_markdown": render_markdown,
        "meeting_status_labels": STATUS_LABELS,
        "action_status_label": display.action_status_label,
        "minutes_status_label": display.minutes_status_label,
        "kind_label": display.kind_label,
    }


def load_group(slug: str, action: Action):
    group = group_queries.get_group(slug)
    if group is None:
        abort(404)
    require(action, group)
    return group


def load_meeting(meeting_id: int, action: Action, *, agenda: bool = False) -> Meeting:
    meeting = queries.get_meeting(meeting_id, agenda=agenda)
    if meeting is None:
        abort(404)
    require(action, meeting)
    return meeting


def show_service_error(form, exc: ServiceError) -> None:
    db.session.rollback()
    if exc.field in FORM_FIELDS:
        exc = type(exc)(exc.message, FORM_FIELDS[exc.field])
    apply_service_error(form, exc)


def values_from(form: MeetingForm) -> dict:
    """The form's values as the service takes them (times typed in the venue's zone)."""
    zone_name = (form.timezone.data or "").strip()
    values = {
        "title": form.title.data,
        "number": form.number.data or "",
        "timezone": zone_name,
        "venue_city": form.venue_city.data or "",
        "venue_address": form.venue_address.data or "",
        "online_url": (form.online_url.data or "").strip(),
        "status": form.status.data,
    }
    if form.date_unknown.data:
        values["starts_at"] = values["ends_at"] = None
        return values
    if not form.date.data:
        raise ValidationError(_("Give the date, or tick “The date is not yet known”."), "date")
    if not form.start_time.data:
        raise ValidationError(_("Give the time the meeting starts."), "start_time")
    if not form.end_time.data:
        raise ValidationError(_("Give the time the meeting ends."), "end_time")
    end_day = form.end_date.data or form.date.data
    values["starts_at"] = services.local_instant(
        form.date.data, form.start_time.data, zone_name, "date"
    )
    values["ends_at"] = services.local_instant(end_day, form.end_time.data, zone_name, "end_date")
    return values


def form_for(meeting: Meeting) -> MeetingForm:
    """The edit form filled from the meeting (times in the venue's zone)."""
    data = {"status": meeting.status.value, "date_unknown": meeting.starts_at is None}
    if meeting.starts_at is not None and meeting.ends_at is not None:
        start, end = (
            local(meeting.starts_at, meeting.timezone),
            local(meeting.ends_at, meeting.timezone),
        )
        data.update(date=start.date(), start_time=start.time(), end_time=end.time())
        if end.date() != start.date():
            data["end_date"] = end.date()
    for name in ("title", "number", "timezone", "venue_city", "venue_address", "online_url"):
        data[name] = getattr(meeting, name)
    return MeetingForm(formdata=None, **data)


def _form_page(template: str, form, status: int = 200, **context):
    return render_template(template, form=form, timezones=timezone_options(), **context), status


@bp.get("/groups/<slug>/meetings")
@login_required
def index(slug: str):
    group = load_group(slug, Action.GROUP_VIEW)
    meetings = queries.meetings_of(group)
    return render_template(
        "meetings/index.html",
        group=group,
        meetings=queries.split(meetings),
        registered=queries.registered_ids(current_user, meetings),
        can_manage=policy.can(current_user, Action.MEETING_MANAGE, group),
    )


@bp.route("/groups/<slug>/meetings/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    group = load_group(slug, Action.MEETING_MANAGE)
    if request.method == "GET":
        form = NewMeetingForm(formdata=None, timezone=current_user.timezone, add_review=True)
        return _form_page("meetings/form.html", form, group=group, meeting=None)
    form = NewMeetingForm()
    if not form.validate():
        return _form_page("meetings/form.html", form, 422, group=group, meeting=None)
    try:
        meeting = services.create_meeting(
            current_actor(), group, values_from(form), add_review=form.add_review.data
        )
    except ServiceError as exc:
        show_service_error(form, exc)
        return _form_page("meetings/form.html", form, exc.status, group=group, meeting=None)
    flash(_("The meeting is created."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.GROUP_VIEW, agenda=True)
    return meeting_page(meeting)


def meeting_page(meeting: Meeting, status: int = 200):
    """The workspace: the agenda with its papers, decisions and actions, the
    meeting's documents, the record's steps, attendance."""
    if "agenda" not in meeting.__dict__:
        meeting = load_meeting(meeting.id, Action.GROUP_VIEW, agenda=True)
    rows = attendance.attendance_of(meeting)
    role = policy.role_in(current_user, meeting.group)
    ws = workspace.build(current_user, meeting)
    page = render_template(
        "meetings/show.html",
        group=meeting.group,
        meeting=meeting,
        ws=ws,
        item_numbers={v.item.id: n for n, v in enumerate(ws.items, 1)},
        delegations=participant_list.grouped(participant_list.entries(meeting)),
        delegation_label=lambda state: participant_list.delegation_label(state, str(get_locale())),
        me_registered=any(a.registered and a.user_id == current_user.id for a in rows),
        can_manage=policy.can(current_user, Action.MEETING_MANAGE, meeting, role=role),
        can_register=policy.can(current_user, Action.MEETING_REGISTER, meeting, role=role),
    )
    return page, status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    context = {"group": meeting.group, "meeting": meeting}
    if request.method == "GET":
        return _form_page("meetings/form.html", form_for(meeting), **context)
    form = MeetingForm()
    if not form.validate():
        return _form_page("meetings/form.html", form, 422, **context)
    try:
        changed = services.update_meeting(current_actor(), meeting, values_from(form))
    except ServiceError as exc:
        show_service_error(form, exc)
        return _form_page("meetings/form.html", form, exc.status, **context)
    flash(_("The meeting is saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        # Refused before asking: a meeting that has taken place is never cancelled.
        services.check_cancellable(meeting)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return meeting_page(meeting, exc.status)
    asked = confirm.require(
        "meeting.cancel",
        meeting.id,
        confirm.Question(
            title=_("Cancel “%(name)s”", name=display.name(meeting)),
            question=_("Cancel “%(name)s”?", name=display.name(meeting)),
            consequence=_(
                "The meeting is marked cancelled for everyone and subscribed calendars "
                "show it as cancelled; this cannot be undone."
            ),
            button=_("Cancel the meeting"),
            cancel_url=url_for("meetings.show", meeting_id=meeting.id),
        ),
    )
    if asked is not None:
        return asked
    try:
        services.cancel_meeting(current_actor(), meeting)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return meeting_page(meeting, exc.status)
    flash(_("The meeting is cancelled."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


from konsey.meetings import (  # noqa: E402, F401
    agenda_routes,
    attendance_routes,
    calendar_routes,
    documents_routes,
)
