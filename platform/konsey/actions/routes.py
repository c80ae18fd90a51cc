"""Action items: what is owed, by which member state or person, by when."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from konsey import policy
from konsey.actions import queries, services
from konsey.actions.choices import action_form
from konsey.actions.export import actions_export
from konsey.actions.forms import action_fields, parse_filter
from konsey.actions.labels import FIELD_LABELS, PRIORITY_LABELS, STATUS_LABELS, source_label
from konsey.actions.overdue import Clock
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error, page_number
from konsey.groups.queries import get_group
from konsey.models import (
    Meeting,
    Membership,
    Role,
    User,
)
from konsey.policy import Action
from konsey.web import current_actor, require

bp = Blueprint("actions", __name__)


@bp.app_template_global()
def action_matrix_for(group):
    """The group dashboard's matrix (templates/actions/_matrix.html)."""
    return queries.group_matrix(group, Clock.load(services.now_utc()))


def _load_group(slug: str, action: Action):
    """Load (404) → check access (403)."""
    group = get_group(slug)
    if group is None:
        abort(404)
    require(action, group)
    return group


def _load_item(slug: str, action_id: int, action: Action):
    group = get_group(slug)
    item = queries.get_action(action_id)
    if group is None or item is None or item.group_id != group.id:
        abort(404)
    require(action, item)
    return item


def _filter_or_400():
    try:
        return parse_filter(request.args)
    except ServiceError as exc:
        abort(400, description=exc.message)


def _export(rows, name: str, fmt: str):
    return actions_export(rows, str(get_locale()), name, fmt)


def common():
    return {
        "status_labels": STATUS_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "field_labels": FIELD_LABELS,
        "source_label": source_label,
        "statuses": list(STATUS_LABELS),
    }


# Lists ---------------------------------------------------------------------------
@bp.get("/groups/<slug>/actions")
@login_required
def group_list(slug: str):
    group = _load_group(slug, Action.GROUP_VIEW)
    f = _filter_or_400()
    f.group_ids = [group.id]
    clock = Clock.load(services.now_utc())
    page = queries.list_actions(current_user, f, clock, page=page_number(request.args))
    members = db.session.execute(
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.role != Role.OBSERVER)
        .order_by(User.name)
    ).all()
    meetings = db.session.execute(
        select(Meeting.id, Meeting.title)
        .where(Meeting.group_id == group.id)
        .order_by(Meeting.starts_at.desc())
    ).all()
    return render_template(
        "actions/list.html",
        group=group,
        page=page,
        f=f,
        matrix=queries.group_matrix(group, clock),
        members=members,
        meetings=meetings,
        can_create=policy.can(current_user, Action.ACTION_MANAGE, group),
        **common(),
    )


@bp.get("/groups/<slug>/actions/export.csv", defaults={"fmt": "csv"})
@bp.get("/groups/<slug>/actions/export.xlsx", endpoint="group_xlsx", defaults={"fmt": "xlsx"})
@login_required
def group_csv(slug: str, fmt: str):
    group = _load_group(slug, Action.GROUP_VIEW)
    f = _filter_or_400()
    f.group_ids = [group.id]
    page = queries.list_actions(current_user, f, Clock.load(services.now_utc()), per_page=None)
    return _export(page.rows, f"actions-{group.slug}", fmt)


@bp.get("/actions/mine")
@login_required
def mine():
    require(Action.GROUP_LIST)
    f = _filter_or_400()
    f.mine_for = current_user
    page = queries.list_actions(
        current_user, f, Clock.load(services.now_utc()), page=page_number(request.args)
    )
    return render_template("actions/mine.html", page=page, f=f, **common())


@bp.get("/actions/mine/export.csv", defaults={"fmt": "csv"})
@bp.get("/actions/mine/export.xlsx", endpoint="mine_xlsx", defaults={"fmt": "xlsx"})
@login_required
def mine_csv(fmt: str):
    require(Action.GROUP_LIST)
    f = _filter_or_400()
    f.mine_for = current_user
    page = queries.list_actions(current_user, f, Clock.load(services.now_utc()), per_page=None)
    return _export(page.rows, "my-actions", fmt)


@bp.get("/actions/council")
@login_required
def council():
    require(Action.ACTION_COUNCIL)
    matrix = queries.council_matrix(current_user, Clock.load(services.now_utc()))
    return render_template("actions/council.html", matrix=matrix)


# Create --------------------------------------------------------------------------
def _create(group, decision=None):
    form = action_form(group, decision)
    existing = services.actions_of_decision(decision) if decision is not None else []

    def page(status=200):
        context = {"group": group, "form": form, "decision": decision, "existing": existing}
        return render_template("actions/new.html", **context, **common()), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(422)
    try:
        item = services.create_action(
            current_actor(),
            group,
            **action_fields(form),
            decision_id=decision.id if decision else None,
            confirm_duplicate=form.confirm_duplicate.data,
            now=services.now_utc(),
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return page(exc.status)
    flash(_("The action is created."), "success")
    return redirect(url_for("actions.show", slug=group.slug, action_id=item.id))


@bp.route("/groups/<slug>/actions/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    group = _load_group(slug, Action.ACTION_MANAGE)
    return _create(group)


@bp.route("/groups/<slug>/actions/from-decision/<int:decision_id>", methods=["GET", "POST"])
@login_required
def create_from_decision(slug: str, decision_id: int):
    """ "Create action from decision": the form, filled in from a decision in the minutes."""
    group = get_group(slug)
    if group is None:
        abort(404)
    try:
        decision = services.decision_in_group(group, decision_id)
    except ServiceError:
        abort(404)
    require(Action.ACTION_MANAGE, group)
    return _create(group, decision)


# One item: konsey.actions.item_routes (on this blueprint).
from konsey.actions import item_routes  # noqa: E402, F401
