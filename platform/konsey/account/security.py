"""The account's security pages: active sessions and two-factor authentication."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey.account.forms import DisableTwoFactorForm, TwoFactorCodeForm
from konsey.account.routes import bp
from konsey.auth import services as auth_services
from konsey.auth import sessions, totp
from konsey.auth.messages import tokens_ended_message
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.models import UserSession
from konsey.web import current_actor


def _user():
    return current_user._get_current_object()


# Sessions ------------------------------------------------------------------
@bp.get("/sessions")
@login_required
def sessions_page():
    user = _user()
    return render_template(
        "account/sessions.html",
        sessions=sessions.active(user),
        current_id=sessions.current_id(user),
        device=sessions.device,
    )


@bp.post("/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int):
    user = _user()
    row = db.session.get(UserSession, session_id)
    # Someone else's session is "not found", not "forbidden": ids say nothing.
    if row is None or row.user_id != user.id:
        abort(404)
    sessions.end(current_actor(), row)
    db.session.commit()
    if row.id == sessions.current_id(user):
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That session is logged out."), "success")
    return redirect(url_for("account.sessions_page"))


@bp.post("/sessions/revoke-others")
@login_required
def revoke_other_sessions():
    _sessions, tokens = auth_services.end_other_sessions(current_actor(), _user())
    flash(_("Your other sessions are logged out."), "success")
    if tokens:
        flash(tokens_ended_message(tokens), "info")
    return redirect(url_for("account.sessions_page"))


# Two-factor authentication ------------------------------------------------------
def _two_factor_page(*, code_form=None, disable_form=None, recovery_codes=None, status=200):
    user = _user()
    pending = user.totp_secret is not None and not user.has_two_factor
    return (
        render_template(
            "account/two_factor.html",
            pending=pending,
            secret=user.totp_secret if pending else None,
            uri=totp.provisioning_uri(user) if pending else None,
            code_form=code_form or TwoFactorCodeForm(formdata=None),
            disable_form=disable_form or DisableTwoFactorForm(formdata=None),
            recovery_codes=recovery_codes,
            remaining=totp.remaining_recovery_codes(user) if user.has_two_factor else 0,
        ),
        status,
    )


@bp.get("/2fa")
@login_required
def two_factor():
    return _two_factor_page()


@bp.post("/2fa/setup")
@login_required
def two_factor_setup():
    # CSRFProtect has checked the form's token already (as for every POST).
    try:
        totp.begin(current_actor(), _user())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _two_factor_page(status=exc.status)
    return redirect(url_for("account.two_factor"))


@bp.post("/2fa/confirm")
@login_required
def two_factor_confirm():
    form = TwoFactorCodeForm()
    if not form.validate_on_submit():
        return _two_factor_page(code_form=form, status=422)
    try:
        codes = totp.confirm(current_actor(), _user(), form.code.data)
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _two_factor_page(code_form=form, status=exc.status)
    flash(_("Two-factor authentication is on."), "success")
    return _two_factor_page(recovery_codes=codes)


@bp.post("/2fa/disable")
@login_required
def two_factor_disable():
    form = DisableTwoFactorForm()
    if not form.validate_on_submit():
        return _two_factor_page(disable_form=form, status=422)
    try:
        totp.disable(current_actor(), _user(), form.password.data, form.code.data)
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _two_factor_page(disable_form=form, status=exc.status)
    flash(_("Two-factor authentication is off."), "success")
    return redirect(url_for("account.two_factor"))
