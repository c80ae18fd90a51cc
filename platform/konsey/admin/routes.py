"""Secretariat administration pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from konsey import audit
from konsey.admin import queries, services
from konsey.admin.forms import (
    ConfirmForm,
    GroupForm,
    UserForm,
    official_name_field,
    state_form,
)
from konsey.admin.labels import OUTBOX_STATE_LABELS
from konsey.auth import totp
from konsey.auth.services import send_invitation
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error, timezone_options
from konsey.mail import reasons
from konsey.mail.delivery import retry_failed
from konsey.mail.dispatch import dispatch_outbox
from konsey.mail.secret_links import redacted
from konsey.models import MemberState, OutboxMessage, OutboxState, User, WorkingGroup
from konsey.place_names import country_name, language_name, ordered_by_name
from konsey.policy import Action
from konsey.web import current_actor, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _only_admins():
    require(Action.ADMINISTER)


def _get_or_404(model, ident: int):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


@bp.get("/")
def index():
    return render_template("admin/index.html")


# Member states ---------------------------------------------------------------
@bp.get("/states")
def states():
    rows = db.session.scalars(select(MemberState).order_by(MemberState.name)).all()
    return render_template("admin/states.html", states=rows)


@bp.route("/states/new", methods=["GET", "POST"], defaults={"state_id": None})
@bp.route("/states/<int:state_id>", methods=["GET", "POST"])
def edit_state(state_id: int | None):
    state = _get_or_404(MemberState, state_id) if state_id else None
    languages = [code for code in current_app.config["LANGUAGES"] if code != "en"]
    form = state_form(languages, obj=state)
    if state is not None and not form.is_submitted():
        for code in languages:
            form[official_name_field(code)].data = (state.names or {}).get(code, "")
        form.status.data = state.status.value
    status = 200
    if form.validate_on_submit():
        try:
            services.save_state(
                current_actor(),
                state,
                code=form.code.data,
                name=form.name.data,
                status=form.status.data,
                capital_timezone=form.capital_timezone.data,
                names={code: form[official_name_field(code)].data for code in languages},
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = exc.status
        else:
            flash(_("The member state is saved."), "success")
            return redirect(url_for("admin.states"))
    elif form.is_submitted():
        status = 422
    code = (state.code if state else form.code.data or "").strip().upper()
    official = [
        (form[official_name_field(lang)], country_name(code, lang) if code else None)
        for lang in languages
    ]
    return render_template(
        "admin/state_form.html",
        form=form,
        state=state,
        official=official,
        timezones=timezone_options(),
    ), status


# Users -------------------------------------------------------------------------
@bp.get("/users")
def users():
    query = select(User).order_by(User.name)
    q = request.args.get("q", "").strip()[:100]
    if q:
        query = query.where(
            User.email.contains(q.lower(), autoescape=True) | User.name.contains(q, autoescape=True)
        )
    return render_template("admin/users.html", users=db.session.scalars(query).all(), q=q)


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user)
    form.locale.choices = [(c, language_name(c)) for c in current_app.config["LANGUAGES"]]
    states = db.session.scalars(select(MemberState)).all()
    form.member_state.choices = [(0, _("Secretariat (no member state)"))] + [
        (s.id, f"{name} ({s.code})") for s, name in ordered_by_name(states)
    ]
    if user is not None and not form.is_submitted():
        form.member_state.data = user.member_state_id or 0
    return form


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int | None):
    user = _get_or_404(User, user_id) if user_id else None
    form = _user_form(user)
    status = 200
    if form.validate_on_submit():
        values = {
            "email": form.email.data,
            "name": form.name.data,
            "member_state_id": form.member_state.data or None,
            "locale": form.locale.data,
            "timezone": form.timezone.data,
            "is_admin": form.is_admin.data,
        }
        try:
            if user is None:
                services.invite_user(current_actor(), **values)
                dispatch_outbox()
                flash(_("The invitation is sent."), "success")
            else:
                services.update_user(current_actor(), user, **values)
                flash(_("The account is saved."), "success")
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = exc.status
        else:
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 422
    return _user_page(user, form), status


def _user_page(user: User, form):
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        confirm=ConfirmForm(formdata=None),
        timezones=timezone_options(),
    )


def _user_page_refusing(user: User, exc: ServiceError):
    """The user's admin page again, saying why the change was refused."""
    db.session.rollback()
    form = _user_form(user)
    form.form_errors.append(exc.message)
    return _user_page(user, form), exc.status


def _set_active(user_id: int, active: bool):
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.set_active(current_actor(), user, active)
    except ServiceError as exc:
        return _user_page_refusing(user, exc)
    flash(_("The account is active.") if active else _("The account is deactivated."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
def activate_user(user_id: int):
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/invite")
def resend_invitation(user_id: int):
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.is_active:
        flash(_("This account is deactivated."), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    try:
        send_invitation(current_actor(), user)
    except ServiceError as exc:
        return _user_page_refusing(user, exc)
    db.session.commit()
    dispatch_outbox()
    flash(_("The invitation is sent."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/2fa/reset")
def reset_two_factor(user_id: int):
    """A lost phone without recovery codes: the user logs in with the
    password alone and sets 2FA up again (audited)."""
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    totp.reset(current_actor(), user)
    flash(_("Two-factor authentication is reset for this account."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# Working groups --------------------------------------------------------------
@bp.get("/groups")
def groups():
    rows = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.name)).all()
    return render_template("admin/groups.html", groups=rows)


@bp.route("/groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def edit_group(group_id: int | None):
    group = _get_or_404(WorkingGroup, group_id) if group_id else None
    form = GroupForm(obj=group)
    status = 200
    if form.validate_on_submit():
        try:
            services.save_group(
                current_actor(),
                group,
                slug=form.slug.data,
                name=form.name.data,
                mandate=form.mandate.data or "",
                symbol_pattern=form.symbol_pattern.data,
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = exc.status
        else:
            flash(_("The working group is saved."), "success")
            return redirect(url_for("admin.groups"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/group_form.html", form=form, group=group), status


# Audit log ---------------------------------------------------------------------
def _day(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        abort(400, description=_("Dates are written YYYY-MM-DD."))


# Far beyond any real log; keeps OFFSET within what the database accepts.
MAX_PAGE = 100_000


def _page() -> int:
    return min(max(1, request.args.get("page", 1, type=int)), MAX_PAGE)


@bp.get("/audit")
def audit_log():
    until = _day("until")
    f = queries.AuditFilter(
        action=request.args.get("action", "").strip()[:64] or None,
        actor=request.args.get("actor", "").strip()[:254] or None,
        object_type=request.args.get("object_type", "").strip()[:32] or None,
        since=_day("since"),
        # The whole "until" day counts; 9999-12-31 has no next day.
        until=until + timedelta(days=1) if until and until.date() < date.max else None,
        page=_page(),
    )
    events, has_next = queries.audit_events(f)
    return render_template("admin/audit.html", events=events, f=f, has_next=has_next)


# Outbox --------------------------------------------------------------------------
@bp.get("/outbox")
def outbox():
    state = request.args.get("state", "")
    if state and state not in {s.value for s in OutboxState}:
        abort(400)
    page = _page()
    messages, has_next = queries.outbox(state or None, page)
    return render_template(
        "admin/outbox.html",
        messages=messages,
        state=state,
        has_next=has_next,
        page=page,
        states=[s.value for s in OutboxState],
        state_labels=OUTBOX_STATE_LABELS,
        delivery_error=reasons.shown,
    )


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = _get_or_404(OutboxMessage, message_id)
    # Mail can be personal: who read whose message is on the record.
    audit.record(current_actor(), "outbox.read", message, recipient=message.recipient)
    db.session.commit()
    return render_template(
        "admin/outbox_message.html",
        message=message,
        body_text=redacted(message.body_text),
        confirm=ConfirmForm(formdata=None),
        state_labels=OUTBOX_STATE_LABELS,
        delivery_error=reasons.shown,
    )


@bp.post("/outbox/<int:message_id>/retry")
def retry_message(message_id: int):
    message = _get_or_404(OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        retry_failed(current_actor(), message)
    except ServiceError as exc:
        db.session.rollback()
        abort(409, description=exc.message)
    dispatch_outbox()
    flash(_("The message is queued again."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message.id))
