"""Minutes of a meeting: versions, comments, member states' positions, signature.

Each request: load (404) → check access (403, or 409 when only the record's
status refuses, e.g. signed minutes) → the service.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from konsey import confirm, policy, timefmt
from konsey.actions.labels import STATUS_LABELS
from konsey.errors import Conflict, ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.htmx import fragment, is_htmx
from konsey.minutes import agreement, queries, record, services
from konsey.minutes.decisions import DecisionRow
from konsey.minutes.forms import (
    CirculateForm,
    CommentForm,
    DecisionForm,
    PositionForm,
    SignForm,
    VersionForm,
)
from konsey.models import Meeting, Minutes, MinutesStatus
from konsey.models.base import utcnow
from konsey.policy import Action
from konsey.text import render_markdown
from konsey.validation import local_instant
from konsey.web import current_actor, require

bp = Blueprint("minutes", __name__)


# Loading and access ----------------------------------------------------------------
def _load_meeting(meeting_id: int) -> Meeting:
    meeting = queries.get_meeting(meeting_id)
    if meeting is None:
        abort(404)
    require(Action.GROUP_VIEW, meeting)
    return meeting


def load_minutes(meeting_id: int) -> tuple[Meeting, Minutes]:
    """The meeting and its minutes (404 when it has none), visible to the
    caller (403), settled (silence, agreement) as of now."""
    meeting = _load_meeting(meeting_id)
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        abort(404, description=_("This meeting has no minutes yet."))
    require(Action.MINUTES_VIEW, minutes)
    agreement.settle(minutes, utcnow())
    return meeting, minutes


def _require_change(action: Action, minutes: Minutes) -> None:
    """403 for a role that may never do this; 409, with the reason, when the
    role may but the record's status does not allow it (e.g. signed)."""
    if policy.can(current_user, action, minutes):
        return
    if policy.refused_only_by_state(current_user, action, minutes):
        abort(409, description=services.status_message(minutes))
    abort(403)


def _meeting_url(meeting: Meeting) -> str | None:
    """The meeting's own page, when the meetings blueprint offers one."""
    try:
        return url_for("meetings.show", meeting_id=meeting.id)
    except BuildError:
        return None


def _deadline(day, clock, field: str) -> datetime | None:
    """A date and time typed in the user's own time zone → the UTC instant."""
    if day is None or clock is None:
        return None
    return local_instant(day, clock, current_user.timezone, field)


EMPTY_DECISION_ROWS = 3  # empty rows of the new-version form, to add decisions
MAX_FORM_ROWS = 300


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def decision_rows(form) -> list[DecisionRow]:
    """The decisions of a new version from the form's rows: ``decisions-<i>-id``
    (an existing decision of the current version), ``-text``, ``-agenda_item``,
    ``-remove``. An empty new row is ignored; a removed row leaves it out."""
    rows = []
    for i in range(MAX_FORM_ROWS):
        prefix = f"decisions-{i}-"
        if prefix + "text" not in form and prefix + "id" not in form:
            continue
        decision_id = _int(form.get(prefix + "id"))
        text = form.get(prefix + "text", "")
        if form.get(prefix + "remove"):
            continue
        if decision_id is None and not text.strip():
            continue
        raw_item = (form.get(prefix + "agenda_item") or "").strip()
        item = _int(raw_item) if raw_item not in ("", "0") else None
        if raw_item not in ("", "0") and item is None:
            item = -1  # not an agenda item: the service says so
        rows.append(DecisionRow(decision_id, text, item, prefix + "text"))
    return rows


def _version_rows(decisions, signed) -> list[dict]:
    """The new-version form's rows: one per current decision, then empty ones."""
    rows = (
        []
        if signed
        else [
            {
                "id": d.decision_id,
                "text": d.text,
                "agenda_item": d.agenda_item_id or 0,
                "remove": False,
            }
            for d in decisions
        ]
    )
    return (
        rows + [{"id": None, "text": "", "agenda_item": 0, "remove": False}] * EMPTY_DECISION_ROWS
    )


def _submitted_rows(form) -> list[dict]:
    """The rows as submitted (shown again when the new version is refused)."""
    rows = []
    for i in range(MAX_FORM_ROWS):
        prefix = f"decisions-{i}-"
        if prefix + "text" not in form and prefix + "id" not in form:
            continue
        rows.append(
            {
                "id": _int(form.get(prefix + "id")),
                "text": form.get(prefix + "text", ""),
                "agenda_item": _int(form.get(prefix + "agenda_item")) or 0,
                "remove": bool(form.get(prefix + "remove")),
            }
        )
    return rows


# The minutes page ------------------------------------------------------------------
def _forms(minutes: Minutes | None, meeting: Meeting, **given):
    forms = {
        "version_form": given.get("version_form")
        or VersionForm(
            formdata=None, text=minutes.current.text if minutes and minutes.current else ""
        ),
        "circulate_form": given.get("circulate_form") or _circulate_defaults(minutes),
        "comment_form": given.get("comment_form") or CommentForm(formdata=None),
        "position_form": given.get("position_form") or PositionForm(formdata=None),
        "decision_form": given.get("decision_form") or DecisionForm(formdata=None),
        "sign_form": given.get("sign_form") or SignForm(formdata=None),
    }
    forms["decision_form"].agenda_item.choices = _agenda_choices(meeting)
    forms["edit_decision_form"] = given.get("edit_decision_form")
    forms["edit_decision_id"] = given.get("edit_decision_id")
    return forms


def _agenda_choices(meeting: Meeting):
    return [(0, _("(no agenda item)"))] + [
        (item.id, f"{item.position}. {item.title}") for item in meeting.agenda
    ]


def _circulate_defaults(minutes: Minutes | None) -> CirculateForm:
    zone = current_user.timezone
    if minutes is not None and minutes.comment_deadline is not None:
        local = timefmt.local(minutes.comment_deadline, zone)
    else:
        local = timefmt.local(utcnow() + timedelta(days=14), zone).replace(hour=18, minute=0)
    return CirculateForm(
        formdata=None,
        deadline_date=local.date(),
        deadline_time=local.time().replace(second=0, microsecond=0),
        silence_procedure=bool(minutes and minutes.silence_procedure),
    )


def _page(meeting: Meeting, minutes: Minutes | None, status: int = 200, notice=None, **forms):
    role = policy.role_in(current_user, meeting.group)

    def may(action, obj):
        return policy.can(current_user, action, obj, role=role)

    context = {
        "meeting": meeting,
        "group": meeting.group,
        "minutes": minutes,
        "now": utcnow(),
        "user_zone": current_user.timezone,
        "show": timefmt.show,
        "render_markdown": render_markdown,
        "meeting_url": _meeting_url(meeting),
        **_forms(minutes, meeting, **forms),
    }
    if minutes is None:
        context["can_create"] = may(Action.MINUTES_EDIT, meeting)
        context["agenda_choices"] = _agenda_choices(meeting)
        context["version_rows"] = forms.get("version_rows") or _version_rows([], None)
        return render_template("minutes/page.html", **context), status
    signed = record.load(minutes)
    standing = signed.standing if signed else queries.standing(minutes)
    own_state = current_user.member_state_id
    decisions = signed.decisions if signed else queries.decisions(minutes)
    removed = queries.removed_decisions(minutes)
    ids = [d.id if signed else d.decision_id for d in decisions] + [d.id for d in removed]
    previous = minutes.versions[-2] if len(minutes.versions) > 1 else None
    context.update(
        record=signed,
        standing=standing,
        comments=queries.comments(minutes),
        decisions=decisions,
        removed_decisions=removed,
        decision_actions=queries.actions_of(ids),
        status_labels=STATUS_LABELS,
        can_edit_decisions=minutes.status == MinutesStatus.DRAFT
        and may(Action.MINUTES_EDIT, minutes),
        agenda_choices=_agenda_choices(meeting),
        empty_decision_rows=EMPTY_DECISION_ROWS,
        version_rows=forms.get("version_rows") or _version_rows(decisions, signed),
        # "version n replaced version m" only when version m had been circulated.
        replaced_circulated=bool(previous and queries.participants_of(previous)),
        can_edit=may(Action.MINUTES_EDIT, minutes),
        can_comment=may(Action.MINUTES_COMMENT, minutes),
        can_position=may(Action.MINUTES_POSITION, minutes),
        can_sign=may(Action.MINUTES_SIGN, minutes),
        own=None if signed else next((s for s in standing.states if s.state.id == own_state), None),
        deadline_passed=bool(minutes.comment_deadline and minutes.comment_deadline <= utcnow()),
        notice=notice,
    )
    if is_htmx() and "position_form" in forms:
        # Only the position form is enhanced: its answer is the standing alone.
        return fragment("minutes/_standing.html", status, **context)
    return render_template("minutes/page.html", **context), status


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def page(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    minutes = queries.minutes_of(meeting)
    if minutes is not None:
        require(Action.MINUTES_VIEW, minutes)
        agreement.settle(minutes, utcnow())
    return _page(meeting, minutes)


# Changes -------------------------------------------------------------------------------
def _refused(meeting, minutes, form_name, form, exc: ServiceError):
    db.session.rollback()
    apply_service_error(form, exc)
    minutes = queries.minutes_of(meeting) if minutes is not None else None
    return _page(meeting, minutes, status=exc.status, **{form_name: form})


def _row_error(exc: ServiceError) -> ServiceError:
    """An error of one decision row is said above the form, naming the row."""
    if exc.field and exc.field.startswith("decisions-"):
        number = exc.field.split("-")[1]
        label = _("Decision row %(n)s", n=int(number) + 1) if number.isdigit() else ""
        return type(exc)(f"{label}: {exc.message}" if label else exc.message)
    return exc


def _done(meeting_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("minutes.page", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/minutes/versions")
@login_required
def add_version(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        require(Action.MINUTES_EDIT, meeting)
    else:
        require(Action.MINUTES_VIEW, minutes)
        agreement.settle(minutes, utcnow())
        _require_change(Action.MINUTES_EDIT, minutes)
    form = VersionForm()
    rows = _submitted_rows(request.form)
    if not form.validate_on_submit():
        return _page(meeting, minutes, status=422, version_form=form, version_rows=rows)
    try:
        version = services.add_version(
            current_actor(),
            meeting,
            minutes,
            form.text.data,
            note=form.note.data or "",
            deadline=_deadline(
                form.new_deadline_date.data, form.new_deadline_time.data, "new_deadline_date"
            ),
            decisions=decision_rows(request.form),
            base_version=form.base_version.data,
            now=utcnow(),
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, _row_error(exc))
        minutes = queries.minutes_of(meeting) if minutes is not None else None
        return _page(meeting, minutes, exc.status, version_form=form, version_rows=rows)
    return _done(meeting_id, _("Version %(n)d of the minutes is saved.", n=version.number))


@bp.post("/meetings/<int:meeting_id>/minutes/circulate")
@login_required
def circulate(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_EDIT, minutes)
    form = CirculateForm()
    if not form.validate_on_submit():
        return _page(meeting, minutes, status=422, circulate_form=form)
    deadline = _deadline(form.deadline_date.data, form.deadline_time.data, "deadline_date")
    try:
        # What would refuse it is said before asking to confirm.
        services.require_status(minutes, MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
        services.require_meeting_begun(minutes, utcnow(), signing=False)
        services.check_deadline(deadline, utcnow(), "deadline_date")
    except ServiceError as exc:
        return _refused(meeting, minutes, "circulate_form", form, exc)
    current = minutes.current
    if current is not None:
        asked = confirm.require(
            "minutes.circulate",
            minutes.id,
            confirm.Question(
                title=_("Circulate version %(n)d", n=current.number),
                question=_(
                    "Circulate version %(n)d of the minutes to the delegations?", n=current.number
                ),
                consequence=circulate_consequence(current.number),
                button=_("Circulate version %(n)d", n=current.number),
                cancel_url=url_for("minutes.page", meeting_id=meeting_id),
            ),
        )
        if asked is not None:
            return asked
    try:
        services.circulate(
            current_actor(),
            minutes,
            deadline=deadline,
            silence_procedure=form.silence_procedure.data,
            now=utcnow(),
        )
    except ServiceError as exc:
        return _refused(meeting, minutes, "circulate_form", form, exc)
    return _done(meeting_id, _("The minutes are circulated to the delegations."))


@bp.post("/meetings/<int:meeting_id>/minutes/comments")
@login_required
def comment(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_COMMENT, minutes)
    form = CommentForm()
    if not form.validate_on_submit():
        return _page(meeting, minutes, status=422, comment_form=form)
    try:
        services.add_comment(
            current_actor(), minutes, current_user, form.comment.data, now=utcnow()
        )
    except ServiceError as exc:
        return _refused(meeting, minutes, "comment_form", form, exc)
    return _done(meeting_id, _("Your comment is added."))


@bp.post("/meetings/<int:meeting_id>/minutes/positions")
@login_required
def position(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_POSITION, minutes)
    form = PositionForm()
    if not form.validate_on_submit():
        return _page(meeting, minutes, status=422, position_form=form)
    try:
        agreement.record_position(
            current_actor(),
            minutes,
            current_user,
            version_number=form.version.data,
            position=form.position.data,
            text=form.reservation_text.data or "",
            now=utcnow(),
            text_field="reservation_text",
        )
    except ServiceError as exc:
        return _refused(meeting, minutes, "position_form", form, exc)
    if minutes.status == MinutesStatus.AGREED:
        message = _(
            "Your position is recorded. Every participating member state agrees: "
            "the minutes are agreed."
        )
    else:
        message = _("Your position is recorded.")
    if is_htmx():
        minutes = queries.minutes_of(meeting)
        return _page(meeting, minutes, notice=message, position_form=PositionForm(formdata=None))
    return _done(meeting_id, message)


@bp.post("/meetings/<int:meeting_id>/minutes/decisions")
@login_required
def decision(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_EDIT, minutes)
    form = DecisionForm()
    form.agenda_item.choices = _agenda_choices(meeting)
    if not form.validate_on_submit():
        return _page(meeting, minutes, status=422, decision_form=form)
    try:
        services.add_decision(current_actor(), minutes, form.decision.data, form.agenda_item.data)
    except ServiceError as exc:
        if minutes.status != MinutesStatus.DRAFT:
            flash(exc.message, "error")  # the form is not shown once circulated
        return _refused(meeting, minutes, "decision_form", form, exc)
    return _done(meeting_id, _("The decision is recorded in the minutes."))


@bp.post("/meetings/<int:meeting_id>/minutes/decisions/<int:decision_id>")
@login_required
def edit_decision(meeting_id: int, decision_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_EDIT, minutes)
    form = DecisionForm()
    form.agenda_item.choices = _agenda_choices(meeting)
    if not form.validate_on_submit():
        return _page(
            meeting, minutes, status=422, edit_decision_form=form, edit_decision_id=decision_id
        )
    try:
        services.edit_decision(
            current_actor(), minutes, decision_id, form.decision.data, form.agenda_item.data
        )
    except ServiceError as exc:
        db.session.rollback()
        minutes = queries.minutes_of(meeting)
        if minutes.status != MinutesStatus.DRAFT or exc.field is None:
            flash(exc.message, "error")  # no edit form to show it next to
        else:
            apply_service_error(form, exc)
        return _page(
            meeting, minutes, exc.status, edit_decision_form=form, edit_decision_id=decision_id
        )
    return _done(meeting_id, _("The decision is changed."))


@bp.post("/meetings/<int:meeting_id>/minutes/decisions/<int:decision_id>/remove")
@login_required
def remove_decision(meeting_id: int, decision_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_EDIT, minutes)
    try:
        services.remove_decision(current_actor(), minutes, decision_id)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        minutes = queries.minutes_of(meeting)
        return _page(meeting, minutes, exc.status)
    return _done(meeting_id, _("The decision is removed from the draft."))


def circulate_consequence(number: int) -> str:
    return _(
        "Circulating sends version %(n)d and its decisions to the delegations for comments "
        "and positions; from then on its text and decisions are fixed and change only with a "
        "new version.",
        n=number,
    )


def sign_consequence(number: int) -> str:
    return _("Signing freezes version %(n)d and its decisions for good.", n=number)


@bp.post("/meetings/<int:meeting_id>/minutes/sign")
@login_required
def sign(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    _require_change(Action.MINUTES_SIGN, minutes)
    form = SignForm()
    if not form.validate_on_submit():
        return _page(meeting, minutes, status=422, sign_form=form)
    try:
        services.require_status(minutes, MinutesStatus.AGREED)
        services.require_meeting_begun(minutes, utcnow(), signing=True)
        if form.version.data != minutes.current.number:
            raise Conflict(
                _("Version %(n)s is not the agreed version.", n=form.version.data), "version"
            )
    except ServiceError as exc:
        return _refused(meeting, minutes, "sign_form", form, exc)
    number = minutes.current.number
    asked = confirm.require(
        "minutes.sign",
        minutes.id,
        confirm.Question(
            title=_("Sign version %(n)d", n=number),
            question=_("Sign version %(n)d of the minutes?", n=number),
            consequence=sign_consequence(number),
            button=_("Sign version %(n)d", n=number),
            cancel_url=url_for("minutes.page", meeting_id=meeting_id),
        ),
    )
    if asked is not None:
        return asked
    try:
        services.sign(
            current_actor(),
            minutes,
            current_user,
            version_number=form.version.data,
            now=utcnow(),
        )
    except ServiceError as exc:
        return _refused(meeting, minutes, "sign_form", form, exc)
    return _done(
        meeting_id, _("The minutes are signed; version %(n)d is frozen.", n=minutes.current.number)
    )


# The diff, the printable view and the group's list live on the same blueprint.
from konsey.minutes import reading_routes  # noqa: E402, F401
