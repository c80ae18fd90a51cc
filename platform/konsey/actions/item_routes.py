"""One action item's pages: show, record progress, report done with evidence,
acknowledge or send back a report, edit (on the actions blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey.actions import queries, services, workflow
from konsey.actions.choices import action_form, document_choices, report_form
from konsey.actions.forms import SettleForm, UpdateForm, action_fields, status_choices
from konsey.actions.labels import STATUS_LABELS
from konsey.actions.overdue import is_overdue
from konsey.actions.routes import bp, common
from konsey.documents.services import Upload
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.groups.queries import get_group
from konsey.htmx import fragment, is_htmx
from konsey.models import ActionStatus
from konsey.policy import Action
from konsey.text import render_markdown
from konsey.web import current_actor, require


def _load_item(slug: str, action_id: int, action: Action):
    """Load (404) → check access (403)."""
    group = get_group(slug)
    item = queries.get_action(action_id)
    if group is None or item is None or item.group_id != group.id:
        abort(404)
    require(action, item)
    return item


def _say_errors(form) -> None:
    """A form not shown any more (the item moved on): its errors go to the top."""
    for message in [*form.form_errors, *(e for f in form for e in f.errors)]:
        flash(message, "error")


def _forms(item, side, form, report, settle):
    """The forms the viewer's side may use on the item in its status."""
    moves = workflow.moves_for(item.status, side)
    closed_to_me = item.status.is_closed and side != workflow.COORDINATOR
    if side is not None and not closed_to_me and form is None:
        form = UpdateForm(formdata=None)
    if form is not None and closed_to_me:
        _say_errors(form)
        form = None
    if form is not None:
        document_choices(form, item)
        form.status.choices = status_choices(item.status, moves)
        if form.status.data is None:
            form.status.data = item.status.value
        form.seen_status.data = item.status.value
    may_report = side == workflow.OWNER and ActionStatus.REPORTED in moves
    if report is not None and not may_report:
        _say_errors(report)
    if may_report and report is None:
        report = report_form(current_user)
    may_settle = side == workflow.COORDINATOR and item.status == ActionStatus.REPORTED
    if settle is not None and not may_settle:
        _say_errors(settle)
    if may_settle and settle is None:
        settle = SettleForm(formdata=None, prefix="settle")
    return form, (report if may_report else None), (settle if may_settle else None)


def item_page(item, form=None, status=200, notice=None, report=None, settle=None):
    """The item's page; to an htmx request, only its changing part."""
    side = workflow.side_of(current_user, item)
    form, report, settle = _forms(item, side, form, report, settle)
    decision = item.decision
    context = {
        "item": item,
        "group": item.group,
        "overdue": is_overdue(item, services.now_utc()),
        "description": render_markdown(item.description),
        "updates": queries.updates_of(item),
        "form": form,
        "report_form": report,
        "settle_form": settle,
        "can_update": side is not None,
        "can_edit": side == workflow.COORDINATOR,
        "decision_removed_in": getattr(decision, "removed_in_version", None) if decision else None,
        "notice": notice,
        **common(),
    }
    if is_htmx():
        return fragment("actions/_progress.html", status, **context)
    return render_template("actions/show.html", **context), status


def _done_message(update) -> str:
    if update.new_status == ActionStatus.REPORTED:
        return _("Reported done: the secretariat will acknowledge it.")
    return _("The update is recorded.")


@bp.get("/groups/<slug>/actions/<int:action_id>")
@login_required
def show(slug: str, action_id: int):
    item = _load_item(slug, action_id, Action.ACTION_VIEW)
    return item_page(item)


@bp.post("/groups/<slug>/actions/<int:action_id>/update")
@login_required
def update(slug: str, action_id: int):
    item = _load_item(slug, action_id, Action.ACTION_UPDATE)
    form = UpdateForm()
    form.status.choices = [(s.value, s.value) for s in STATUS_LABELS]
    document_choices(form, item)
    if not form.validate_on_submit():
        return item_page(item, form, 422)
    try:
        done = services.update_action(
            current_actor(),
            item,
            status=form.status.data,
            comment=form.comment.data or "",
            reference=form.reference.data or "",
            document_id=form.document.data or None,
            seen_status=form.seen_status.data or None,
            now=services.now_utc(),
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return item_page(queries.get_action(action_id), form, exc.status)
    message = _done_message(done)
    if is_htmx():
        return item_page(queries.get_action(action_id), notice=message)
    flash(message, "success")
    return redirect(url_for("actions.show", slug=slug, action_id=item.id))


@bp.post("/groups/<slug>/actions/<int:action_id>/report")
@login_required
def report(slug: str, action_id: int):
    """The owing delegation reports the action done, with a note verbale and evidence."""
    item = _load_item(slug, action_id, Action.ACTION_UPDATE)
    form = report_form(current_user)
    if not form.validate_on_submit():
        return item_page(item, status=422, report=form)
    upload = request.files.get(form.file.name)
    evidence = Upload(stream=upload.stream, filename=upload.filename) if upload else None
    if evidence is not None and not evidence.filename:
        evidence = None
    try:
        done = services.report_action(
            current_actor(),
            item,
            comment=form.comment.data or "",
            reference=form.reference.data or "",
            evidence=evidence,
            visibility=form.visibility.data,
            language=form.language.data,
            now=services.now_utc(),
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return item_page(queries.get_action(action_id), status=exc.status, report=form)
    flash(_done_message(done), "success")
    return redirect(url_for("actions.show", slug=slug, action_id=action_id))


def _settle(slug: str, action_id: int, settle, message: str):
    item = _load_item(slug, action_id, Action.ACTION_MANAGE)
    form = SettleForm(prefix="settle")
    if not form.validate_on_submit():
        return item_page(item, status=422, settle=form)
    try:
        settle(current_actor(), item, comment=form.comment.data or "", now=services.now_utc())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return item_page(queries.get_action(action_id), status=exc.status, settle=form)
    flash(message, "success")
    return redirect(url_for("actions.show", slug=slug, action_id=action_id))


@bp.post("/groups/<slug>/actions/<int:action_id>/acknowledge")
@login_required
def acknowledge(slug: str, action_id: int):
    """A coordinator acknowledges the report: the action is done."""
    return _settle(slug, action_id, services.acknowledge, _("Acknowledged: the action is done."))


@bp.post("/groups/<slug>/actions/<int:action_id>/send-back")
@login_required
def send_back(slug: str, action_id: int):
    """A coordinator sends the report back: the action is in progress again."""
    return _settle(slug, action_id, services.send_back, _("Sent back: the action is in progress."))


@bp.route("/groups/<slug>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, action_id: int):
    """Coordinators change an action's fields; each change goes into its history."""
    item = _load_item(slug, action_id, Action.ACTION_MANAGE)
    group = item.group
    form = action_form(group, item=item)

    def page(status=200):
        context = {"group": group, "item": item, "form": form}
        return render_template("actions/edit.html", **context, **common()), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(422)
    try:
        services.edit_action(
            current_actor(),
            item,
            **action_fields(form),
            decision_id=form.decision.data or None,
            comment=form.comment.data or "",
            now=services.now_utc(),
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        item = queries.get_action(action_id)
        return page(exc.status)
    flash(_("The action is changed."), "success")
    return redirect(url_for("actions.show", slug=slug, action_id=action_id))
