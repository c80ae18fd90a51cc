"""Log in and out, forgotten passwords, first-time account set-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from konsey import audit
from konsey.auth import links, services
from konsey.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.mail.dispatch import dispatch_outbox
from konsey.web import current_actor

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no open redirects."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("groups.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(current_actor(), form.email.data, form.password.data)
        except ServiceError as exc:
            form.form_errors.append(exc.message)
            status = 401
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    audit.record(current_actor(), "user.logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(current_actor(), form.email.data)
        dispatch_outbox()
        flash(
            _(
                "If an active account uses this address, a link to set a new password "
                "is on its way. It works once and expires."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), (400 if form.is_submitted() else 200)


def _password_link(token: str, purpose: str):
    try:
        user = links.load_user(token, purpose)
    except links.LinkError as exc:
        message = (
            _("This link has expired. Ask for a new one.")
            if exc.reason == "expired"
            else _("This link is not valid or has already been used. Ask for a new one.")
        )
        return render_template("auth/link_invalid.html", message=message), 400
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.complete_link(current_actor(), token, purpose, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = 422
        else:
            logout_user()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/new_password.html", form=form, user=user, purpose=purpose), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _password_link(token, "reset")


@bp.route("/account/setup/<token>", methods=["GET", "POST"])
def setup_account(token: str):
    return _password_link(token, "setup")
