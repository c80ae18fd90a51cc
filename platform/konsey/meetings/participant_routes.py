"""The list of participants of a meeting: page, print, CSV/XLSX, and the
forms to add, edit, remove, confirm entries and record who attended.

Each view loads (404: an entry of another meeting is not found), checks the
policy (403), then calls konsey.meetings.participants.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from konsey import policy, security_log, spreadsheets
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.meetings import participant_list, participants
from konsey.meetings.forms import ConfirmForm
from konsey.meetings.participant_forms import (
    SECRETARIAT,
    ParticipantAttendanceForm,
    ParticipantForm,
)
from konsey.meetings.routes import bp, load_meeting
from konsey.models import Delegation, Membership, MemberState, User
from konsey.models.base import utcnow
from konsey.policy import Action
from konsey.web import current_actor


def _refuse(obj, action: Action):
    security_log.note(obj, action)
    abort(403)


def _may_edit(entries, meeting, role) -> dict[int, bool]:
    return {
        e.id: policy.can(current_user, Action.PARTICIPANT_REGISTER, e, role=role) for e in entries
    }


def _listing(meeting):
    role = policy.role_in(current_user, meeting.group)
    entries = participant_list.entries(meeting)
    editable = _may_edit(entries, meeting, role)
    return participant_list.grouped(entries), editable, role


@bp.get("/meetings/<int:meeting_id>/participants")
@login_required
def participants_page(meeting_id: int):
    return _page(load_meeting(meeting_id, Action.GROUP_VIEW))


def _page(meeting, status: int = 200):
    listing, editable, role = _listing(meeting)
    page = render_template(
        "meetings/participants.html",
        group=meeting.group,
        meeting=meeting,
        listing=listing,
        editable=editable,
        can_register=policy.can(current_user, Action.PARTICIPANT_REGISTER, meeting, role=role),
        can_confirm=policy.can(current_user, Action.PARTICIPANT_CONFIRM, meeting, role=role),
        can_record=policy.can(current_user, Action.PARTICIPANT_ATTENDANCE, meeting, role=role),
        begun=meeting.starts_at is not None and meeting.starts_at <= utcnow(),
        accreditation=participants.accreditation_text,
        label=participant_list.delegation_label,
    )
    return page, status


@bp.get("/meetings/<int:meeting_id>/participants/print")
@login_required
def participants_print(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.GROUP_VIEW)
    listing, editable, _role = _listing(meeting)
    return render_template(
        "meetings/participants_print.html",
        group=meeting.group,
        meeting=meeting,
        listing=listing,
        editable=editable,
        accreditation=participants.accreditation_text,
        label=participant_list.delegation_label,
    )


def _export(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.GROUP_VIEW)
    listing, editable, _role = _listing(meeting)
    rows = participant_list.export_rows(
        listing, str(get_locale()), lambda entry: editable.get(entry.id, False)
    )
    return meeting, participant_list.export_headers(), rows


@bp.get("/meetings/<int:meeting_id>/participants.csv")
@login_required
def participants_csv(meeting_id: int):
    meeting, headers, rows = _export(meeting_id)
    return spreadsheets.csv_response(headers, rows, f"participants-meeting-{meeting.id}")


@bp.get("/meetings/<int:meeting_id>/participants.xlsx")
@login_required
def participants_xlsx(meeting_id: int):
    meeting, headers, rows = _export(meeting_id)
    return spreadsheets.xlsx_response(
        headers, rows, f"participants-meeting-{meeting.id}", title=_("Participants")
    )


# Adding and editing ---------------------------------------------------------------
def _choices(form: ParticipantForm, meeting, role) -> None:
    """The delegations the user may register into, and the group's accounts in them."""
    coordinator = policy.can(current_user, Action.PARTICIPANT_CONFIRM, meeting, role=role)
    locale = str(get_locale())
    if coordinator:
        states = sorted(db.session.scalars(select(MemberState)), key=participant_list.state_key)
        form.member_state.choices = [
            (str(s.id), f"{s.display_name(locale)} ({s.code})") for s in states
        ] + [(SECRETARIAT, _("Secretariat"))]
    else:
        own = current_user.member_state
        form.member_state.choices = [(str(own.id), f"{own.display_name(locale)} ({own.code})")]
    allowed = {c for c, _label in form.member_state.choices}
    members = db.session.scalars(
        select(Membership)
        .join(Membership.user)
        .where(Membership.group_id == meeting.group_id)
        .options(joinedload(Membership.user).joinedload(User.member_state))
        .order_by(User.name)
    ).all()
    secretariat = _("Secretariat")
    form.user.choices = [("", _("No account"))] + [
        (
            str(m.user_id),
            f"{m.user.name} ({m.user.member_state.code if m.user.member_state else secretariat})",
        )
        for m in members
        if (str(m.user.member_state_id) if m.user.member_state_id else SECRETARIAT) in allowed
    ]


def _form_page(meeting, form, entry=None, status=200):
    return (
        render_template(
            "meetings/participant_form.html",
            group=meeting.group,
            meeting=meeting,
            form=form,
            entry=entry,
        ),
        status,
    )


def _may_register_into(meeting, state_id, role) -> bool:
    return policy.can(
        current_user, Action.PARTICIPANT_REGISTER, Delegation(meeting, state_id), role=role
    )


@bp.route("/meetings/<int:meeting_id>/participants/new", methods=["GET", "POST"])
@login_required
def add_participant(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.PARTICIPANT_REGISTER)
    role = policy.role_in(current_user, meeting.group)
    if request.method == "GET":
        form = ParticipantForm(formdata=None)
        _choices(form, meeting, role)
        return _form_page(meeting, form)
    form = ParticipantForm()
    _choices(form, meeting, role)
    if not form.validate():
        return _form_page(meeting, form, status=422)
    values = form.values()
    if not _may_register_into(meeting, values["member_state_id"], role):
        _refuse(meeting, Action.PARTICIPANT_REGISTER)
    try:
        entry = participants.add(current_actor(), meeting, values)
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _form_page(meeting, form, status=exc.status)
    flash(_("%(name)s is on the list of participants.", name=entry.display_name), "success")
    return redirect(url_for("meetings.participants_page", meeting_id=meeting.id))


def _load_entry(meeting_id: int, entry_id: int, action: Action):
    meeting = load_meeting(meeting_id, Action.GROUP_VIEW)
    entry = participant_list.get_entry(meeting, entry_id)
    if entry is None:
        abort(404)
    target = entry if action == Action.PARTICIPANT_REGISTER else meeting
    if not policy.can(current_user, action, target):
        _refuse(meeting, action)
    return meeting, entry


def _filled(entry) -> ParticipantForm:
    return ParticipantForm(
        formdata=None,
        member_state=str(entry.member_state_id) if entry.member_state_id else SECRETARIAT,
        user=str(entry.user_id) if entry.user_id else "",
        name=entry.name,
        title=entry.title,
        organisation=entry.organisation,
        email=entry.email,
        is_head=entry.is_head,
        accreditation_reference=entry.accreditation_reference,
        accreditation_date=entry.accreditation_date,
    )


@bp.route("/meetings/<int:meeting_id>/participants/<int:entry_id>", methods=["GET", "POST"])
@login_required
def edit_participant(meeting_id: int, entry_id: int):
    meeting, entry = _load_entry(meeting_id, entry_id, Action.PARTICIPANT_REGISTER)
    role = policy.role_in(current_user, meeting.group)
    form = _filled(entry) if request.method == "GET" else ParticipantForm()
    _choices(form, meeting, role)
    if request.method == "GET":
        return _form_page(meeting, form, entry)
    if not form.validate():
        return _form_page(meeting, form, entry, 422)
    values = form.values()
    if not _may_register_into(meeting, values["member_state_id"], role):
        _refuse(meeting, Action.PARTICIPANT_REGISTER)
    keeps = policy.can(current_user, Action.PARTICIPANT_CONFIRM, meeting, role=role)
    try:
        changed = participants.update(current_actor(), entry, values, keeps_confirmation=keeps)
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _form_page(meeting, form, entry, exc.status)
    flash(_("The entry is saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("meetings.participants_page", meeting_id=meeting.id))


def _button(meeting_id: int, entry_id: int, action: Action, change, done: str):
    meeting, entry = _load_entry(meeting_id, entry_id, action)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = entry.display_name
    try:
        change(current_actor(), entry)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _page(meeting, exc.status)
    flash(done % {"name": name}, "success")
    return redirect(url_for("meetings.participants_page", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/participants/<int:entry_id>/remove")
@login_required
def remove_participant(meeting_id: int, entry_id: int):
    return _button(
        meeting_id,
        entry_id,
        Action.PARTICIPANT_REGISTER,
        participants.remove,
        _("%(name)s is no longer on the list of participants."),
    )


@bp.post("/meetings/<int:meeting_id>/participants/<int:entry_id>/confirm")
@login_required
def confirm_participant(meeting_id: int, entry_id: int):
    return _button(
        meeting_id,
        entry_id,
        Action.PARTICIPANT_CONFIRM,
        participants.confirm,
        _("%(name)s is confirmed."),
    )


# Who attended ---------------------------------------------------------------------
def _attendance_page(meeting, form, listing, status=200):
    return (
        render_template(
            "meetings/participant_attendance.html",
            group=meeting.group,
            meeting=meeting,
            form=form,
            listing=listing,
            label=participant_list.delegation_label,
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>/participants/attendance", methods=["GET", "POST"])
@login_required
def participants_attendance(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.PARTICIPANT_ATTENDANCE)
    entries = participant_list.entries(meeting)
    listing = participant_list.grouped(entries)
    if request.method == "GET":
        form = ParticipantAttendanceForm(
            formdata=None, attended=[e.id for e in entries if e.attended]
        )
    else:
        form = ParticipantAttendanceForm()
    form.attended.choices = [(e.id, e.display_name) for e in entries]
    if request.method == "GET":
        return _attendance_page(meeting, form, listing)
    if not form.validate():
        return _attendance_page(meeting, form, listing, 422)
    try:
        participants.record_attendance(current_actor(), meeting, form.attended.data or [])
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _attendance_page(meeting, form, listing, exc.status)
    flash(_("The attendance is recorded."), "success")
    return redirect(url_for("meetings.participants_page", meeting_id=meeting.id))
