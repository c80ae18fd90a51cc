"""Log in and out, forgotten passwords, first-time account set-up."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from konsey import policy
from konsey.auth import links, services, throttle
from konsey.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm, SecondFactorForm
from konsey.auth.messages import tokens_ended_message
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.mail.dispatch import dispatch_outbox
from konsey.models import User
from konsey.redirects import safe_next
from konsey.web import current_actor

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("web.index"))


# How long the password step stays good while the second factor is awaited.
SECOND_FACTOR_WINDOW = 300


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = services.authenticate(current_actor(), form.email.data, form.password.data)
        except ServiceError as exc:
            form.form_errors.append(exc.message)
            status, headers = _refusal(exc)
        else:
            if user.has_two_factor:
                # Not logged in yet: only the proof of the first step is kept.
                _fresh_session()
                session["2fa"] = {
                    "user": user.id,
                    "remember": bool(form.remember.data),
                    "at": int(time.time()),
                    "next": request.args.get("next") or "",
                }
                return redirect(url_for("auth.second_factor"))
            return _finish_login(user, bool(form.remember.data), request.args.get("next"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status, headers


def _refusal(exc: ServiceError) -> tuple[int, dict[str, str]]:
    """A wrong password or code (401), or a lock (429, and when to come back)."""
    if isinstance(exc, throttle.Throttled):
        return 429, {"Retry-After": str(max(1, exc.seconds))}
    return 401, {}


def _fresh_session() -> None:
    """Nothing from before the login survives in the cookie (session
    fixation), except the language the visitor chose."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _finish_login(user, remember: bool, next_url: str | None):
    _fresh_session()
    services.begin_session(
        current_actor(),
        user,
        user_agent=request.headers.get("User-Agent"),
        remember=remember,
    )
    login_user(user, remember=remember)
    return redirect(_safe_next(next_url))


def _pending_user():
    pending = session.get("2fa")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > SECOND_FACTOR_WINDOW:
        return None, None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or not user.has_two_factor:
        return None, None
    return user, pending


@bp.route("/login/2fa", methods=["GET", "POST"])
def second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    user, pending = _pending_user()
    if user is None:
        session.pop("2fa", None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            services.check_second_factor(current_actor(), user, form.code.data)
        except ServiceError as exc:
            form.form_errors.append(exc.message)
            status, headers = _refusal(exc)
        else:
            return _finish_login(user, pending["remember"], pending["next"])
    elif form.is_submitted():
        status = 400
    return render_template("auth/second_factor.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_actor(), current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


# Endpoints a manager who must set up 2FA can still reach.
_ENROLMENT_ENDPOINTS = {
    "static",
    "auth.logout",
    "account.two_factor",
    "account.two_factor_setup",
    "account.two_factor_confirm",
    "web.set_language",
}


@bp.before_app_request
def _require_two_factor_for_managers():
    """With REQUIRE_2FA_FOR_MANAGERS, admins and coordinators without 2FA
    are sent to set it up before anything else."""
    if not current_app.config.get("REQUIRE_2FA_FOR_MANAGERS"):
        return None
    if request.endpoint in _ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if "Authorization" in request.headers and request.path.startswith("/api/"):
        return None  # tokens are their own credential, made from a logged-in session
    user = current_user._get_current_object()
    if user.has_two_factor or not policy.can(user, policy.Action.ACTION_COUNCIL):
        return None
    if request.path.startswith("/api/"):
        from konsey.web import json_error

        message = _("Set up two-factor authentication on your account page first.")
        return json_error(403, "two_factor_required", message)
    flash(_("Your role requires two-factor authentication: please set it up now."), "info")
    return redirect(url_for("account.two_factor"))


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
            user, ended = services.complete_link(
                current_actor(), token, purpose, form.password.data
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = 422
        else:
            dispatch_outbox()
            logout_user()
            flash(_("Your password is set. You can log in now."), "success")
            if ended:
                flash(tokens_ended_message(ended), "info")
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
