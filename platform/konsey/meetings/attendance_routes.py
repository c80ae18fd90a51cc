"""Attendance: coordinators record who came; delegates register for what is coming."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.meetings import attendance
from konsey.meetings.forms import AttendanceForm, ConfirmForm
from konsey.meetings.routes import bp, load_meeting, meeting_page
from konsey.policy import Action
from konsey.web import current_actor


def _delegations(members):
    """Members grouped by member state, in the order given."""
    groups: dict = {}
    for m in members:
        groups.setdefault(m.member_state, []).append(m)
    return list(groups.items())


def _page(meeting, form, members, status=200):
    return (
        render_template(
            "meetings/attendance.html",
            meeting=meeting,
            group=meeting.group,
            form=form,
            delegations=_delegations(members),
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def record_attendance(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    members = attendance.attendable(meeting.group)
    if request.method == "GET":
        came = [a.user_id for a in attendance.attendance_of(meeting) if a.attended]
        form = AttendanceForm(formdata=None, attended=came)
    else:
        form = AttendanceForm()
    form.attended.choices = [(m.user_id, m.user.name) for m in members]
    if request.method == "GET":
        return _page(meeting, form, members)
    if not form.validate():
        return _page(meeting, form, members, 422)
    try:
        attendance.record_attendance(current_actor(), meeting, form.attended.data or [])
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _page(meeting, form, members, exc.status)
    flash(_("The attendance is recorded."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor="attendance"))


def _registration(meeting_id: int, change, done_message: str):
    meeting = load_meeting(meeting_id, Action.MEETING_REGISTER)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(current_actor(), meeting, current_user._get_current_object())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return meeting_page(meeting, exc.status)
    flash(done_message, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/register")
@login_required
def register(meeting_id: int):
    return _registration(meeting_id, attendance.register, _("You are registered for this meeting."))


@bp.post("/meetings/<int:meeting_id>/withdraw")
@login_required
def withdraw(meeting_id: int):
    return _registration(
        meeting_id, attendance.withdraw, _("You are no longer registered for this meeting.")
    )


from konsey.meetings import participant_routes  # noqa: E402, F401
