"""Working-group spaces: the list of groups, a group's home and its roster."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from konsey import policy
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.groups import queries, services
from konsey.groups.forms import (
    ROLE_LABELS,
    AddMemberForm,
    ChangeRoleForm,
    RemoveMemberForm,
    role_choices,
)
from konsey.meetings import queries as meeting_queries
from konsey.models import MemberState
from konsey.place_names import ordered_by_name
from konsey.policy import Action
from konsey.web import current_actor, require

bp = Blueprint("groups", __name__, url_prefix="/groups")


def _load(slug: str, action: Action):
    """Load (404) → check access (403)."""
    group = queries.get_group(slug)
    if group is None:
        abort(404)
    require(action, group)
    return group


@bp.get("")
@login_required
def index():
    require(Action.GROUP_LIST)
    roles = policy.roles_by_group(current_user)
    return render_template(
        "groups/index.html",
        groups=queries.groups_with_counts(),
        roles=roles,
        role_labels=ROLE_LABELS,
    )


@bp.get("/<slug>")
@login_required
def home(slug: str):
    group = _load(slug, Action.GROUP_VIEW)
    return render_template(
        "groups/home.html",
        group=group,
        delegations=queries.delegation_summaries(group),
        my_role=policy.role_in(current_user, group),
        role_labels=ROLE_LABELS,
        next_meeting=meeting_queries.next_meeting(group),
    )


def _add_form(group, formdata=True):
    form = AddMemberForm() if formdata else AddMemberForm(formdata=None)
    states = db.session.scalars(select(MemberState)).all()
    form.member_state.choices = [(0, _("Secretariat / no member state"))] + [
        (s.id, name) for s, name in ordered_by_name(states)
    ]
    form.role.choices = role_choices()
    return form


def _roster_page(group, add_form=None, status=200):
    can_manage = policy.can(current_user, Action.ROSTER_MANAGE, group)
    return (
        render_template(
            "groups/roster.html",
            group=group,
            roster=queries.roster(group),
            can_manage=can_manage,
            add_form=add_form or (_add_form(group, formdata=False) if can_manage else None),
            suggestions=queries.candidates_for(group) if can_manage else [],
            role_form=ChangeRoleForm(formdata=None),
            remove_form=RemoveMemberForm(formdata=None),
            role_choices=role_choices(),
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.get("/<slug>/roster")
@login_required
def roster(slug: str):
    group = _load(slug, Action.GROUP_VIEW)
    return _roster_page(group)


@bp.post("/<slug>/roster")
@login_required
def add_member(slug: str):
    group = _load(slug, Action.ROSTER_MANAGE)
    form = _add_form(group)
    if not form.validate_on_submit():
        return _roster_page(group, add_form=form, status=422)
    try:
        user = services.find_person(form.email.data)
        services.add_member(
            current_actor(),
            group,
            user,
            form.role.data,
            member_state_id=form.member_state.data or None,
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _roster_page(group, add_form=form, status=exc.status)
    flash(_("%(name)s is added to the group.", name=user.name), "success")
    return redirect(url_for("groups.roster", slug=slug))


@bp.post("/<slug>/roster/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int):
    group = _load(slug, Action.ROSTER_MANAGE)
    form = ChangeRoleForm()
    form.role.choices = role_choices()
    try:
        membership = services.get_membership(group, membership_id)
        if not form.validate_on_submit():
            flash(_("Choose a role."), "error")
            return _roster_page(group, status=422)
        services.change_role(current_actor(), membership, form.role.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _roster_page(group, status=exc.status)
    flash(_("The role is changed."), "success")
    return redirect(url_for("groups.roster", slug=slug))


@bp.post("/<slug>/roster/<int:membership_id>/remove")
@login_required
def remove_member(slug: str, membership_id: int):
    group = _load(slug, Action.ROSTER_MANAGE)
    form = RemoveMemberForm()
    try:
        membership = services.get_membership(group, membership_id)
    except ServiceError as exc:
        abort(exc.status)
    if not form.validate_on_submit():
        abort(400)
    name = membership.user.name
    services.remove_member(current_actor(), membership)
    flash(_("%(name)s is removed from the group.", name=name), "success")
    return redirect(url_for("groups.roster", slug=slug))
