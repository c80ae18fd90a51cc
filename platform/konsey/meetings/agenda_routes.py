"""A meeting's agenda items: add, edit, delete, move up and down, reorder."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey import confirm
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.htmx import fragment, is_htmx
from konsey.meetings import agenda, workspace
from konsey.meetings.forms import AgendaItemForm, ConfirmForm, MoveForm
from konsey.meetings.routes import bp, load_meeting, meeting_page
from konsey.place_names import ordered_by_name
from konsey.policy import Action
from konsey.web import current_actor


def _item(meeting, item_id: int):
    try:
        return agenda.get_item(meeting, item_id)
    except ServiceError as exc:
        abort(exc.status)


def _with_choices(form: AgendaItemForm, meeting) -> AgendaItemForm:
    form.lead_state.choices = [(0, "—")] + [
        (s.id, name) for s, name in ordered_by_name(agenda.lead_states(meeting.group))
    ]
    form.lead_user.choices = [(0, "—")] + [
        (u.id, f"{u.name} ({u.member_state.code})" if u.member_state else u.name)
        for u in agenda.lead_people(meeting.group)
    ]
    return form


def _values(form: AgendaItemForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "lead_state_id": form.lead_state.data or None,
        "lead_user_id": form.lead_user.data or None,
        "duration_minutes": form.duration_minutes.data,
        "outcome": form.outcome.data or "",
    }


def _page(form, meeting, item=None, status=200):
    return (
        render_template(
            "meetings/agenda_item.html", form=form, meeting=meeting, group=meeting.group, item=item
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>/agenda/new", methods=["GET", "POST"])
@login_required
def add_item(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    if request.method == "GET":
        return _page(_with_choices(AgendaItemForm(formdata=None), meeting), meeting)
    form = _with_choices(AgendaItemForm(), meeting)
    if not form.validate():
        return _page(form, meeting, status=422)
    try:
        agenda.add_item(current_actor(), meeting, _values(form))
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _page(form, meeting, status=exc.status)
    flash(_("The agenda item is added."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor="agenda"))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    item = _item(meeting, item_id)
    if request.method == "GET":
        form = AgendaItemForm(
            formdata=None,
            title=item.title,
            description=item.description,
            lead_state=item.lead_state_id or 0,
            lead_user=item.lead_user_id or 0,
            duration_minutes=item.duration_minutes,
            outcome=item.outcome,
        )
        return _page(_with_choices(form, meeting), meeting, item)
    form = _with_choices(AgendaItemForm(), meeting)
    if not form.validate():
        return _page(form, meeting, item, status=422)
    try:
        changed = agenda.update_item(current_actor(), item, _values(form))
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _page(form, meeting, item, status=exc.status)
    flash(_("The agenda item is saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/delete")
@login_required
def delete_item(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    item = _item(meeting, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        agenda.require_open(meeting)  # a frozen agenda is refused before asking
    except ServiceError as exc:
        return _refused(meeting_id, exc)
    asked = confirm.require(
        "agenda.delete",
        item.id,
        confirm.Question(
            title=_("Delete the agenda item “%(title)s”", title=item.title),
            question=_("Delete the agenda item “%(title)s”?", title=item.title),
            consequence=_(
                "The item and its description are removed from the agenda and the "
                "items after it move up; papers linked to it stay in the library."
            ),
            button=_("Delete"),
            cancel_url=url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"),
        ),
    )
    if asked is not None:
        return asked
    try:
        agenda.delete_item(current_actor(), item)
    except ServiceError as exc:
        return _refused(meeting_id, exc)
    flash(_("The agenda item is deleted."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor="agenda"))


@bp.post("/meetings/<int:meeting_id>/agenda/order")
@login_required
def reorder(meeting_id: int):
    """The whole new order at once (the drag-and-drop script): the ids must be
    exactly this meeting's items (``items``, in order; ``moved``: the one the
    person moved, named in the answer); JSON answers for the script."""
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE, agenda=True)
    raw = request.form.getlist("items")
    try:
        ids = [int(v) for v in raw]
        moved_id = int(request.form["moved"]) if request.form.get("moved") else None
    except ValueError:
        return jsonify(error=_("Send the agenda items' ids, in their new order.")), 400
    try:
        moved = agenda.reorder(current_actor(), meeting, ids, moved_id)
    except ServiceError as exc:
        db.session.rollback()
        return jsonify(error=exc.message), exc.status
    order = [i.id for i in sorted(meeting.agenda, key=lambda i: i.position)]
    if moved is None:
        message = _("The order is unchanged.")
    else:
        message = _(
            "“%(title)s” is now item %(n)d.", title=moved.title, n=order.index(moved.id) + 1
        )
    return jsonify(items=order, message=message)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/move")
@login_required
def move_item(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE)
    item = _item(meeting, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        if is_htmx():
            return _agenda_fragment(meeting_id, _("Move an item up or down."), 422)
        flash(_("Move an item up or down."), "error")
        return meeting_page(meeting, 422)
    try:
        moved = agenda.move_item(current_actor(), item, form.direction.data)
    except ServiceError as exc:
        return _refused(meeting_id, exc)
    if is_htmx():
        title = item.title
        notice = (
            _("“%(title)s” is now item %(n)d.", title=title, n=item.position)
            if moved
            else _("“%(title)s” cannot move further.", title=title)
        )
        return _agenda_fragment(meeting_id, notice, focus=(item_id, form.direction.data))
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


def _refused(meeting_id: int, exc: ServiceError):
    """A change the agenda's state refuses (e.g. frozen by agreed minutes)."""
    db.session.rollback()
    if is_htmx():
        return _agenda_fragment(meeting_id, exc.message, exc.status)
    flash(exc.message, "error")
    return meeting_page(load_meeting(meeting_id, Action.MEETING_MANAGE), exc.status)


def _agenda_fragment(meeting_id: int, notice: str, status: int = 200, focus=None):
    """The agenda alone, reloaded in its new order (htmx)."""
    meeting = load_meeting(meeting_id, Action.MEETING_MANAGE, agenda=True)
    return fragment(
        "meetings/_agenda.html",
        status,
        meeting=meeting,
        ws=workspace.build(current_user, meeting),
        can_manage=True,
        notice=notice,
        focus=focus,
    )
