"""The account page: profile, password, personal API tokens.

Sessions and two-factor authentication are in ``account.security``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey.account import services
from konsey.account.forms import ChangePasswordForm, ProfileForm, TokenForm
from konsey.auth import api_tokens
from konsey.auth import services as auth_services
from konsey.auth.messages import tokens_ended_message
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error, timezone_options
from konsey.i18n import language_choices
from konsey.mail.dispatch import dispatch_outbox
from konsey.models import ApiToken
from konsey.place_names import language_name
from konsey.web import current_actor

bp = Blueprint("account", __name__, url_prefix="/account")


def _retired_language(user) -> str | None:
    """The name of the user's saved language when it is no longer offered
    (KONSEY_LANGUAGES changed): the pages fall back to the browser's best
    language or the default, and the account page says so."""
    if user.locale in current_app.config["LANGUAGES"]:
        return None
    return language_name(user.locale or "", capital=False)


def _page(profile=None, password=None, token_form=None, new_token=None, status=200):
    user = current_user._get_current_object()
    retired = _retired_language(user)
    if profile is None:
        profile = ProfileForm(obj=user, digest=user.digest.value, notices=user.notices.value)
        if retired is not None:
            profile.locale.data = str(get_locale())  # the language the pages are shown in
    profile.locale.choices = language_choices()
    return (
        render_template(
            "account/index.html",
            profile=profile,
            password_form=password or ChangePasswordForm(),
            token_form=token_form or TokenForm(),
            tokens=user.tokens,
            new_token=new_token,
            timezones=timezone_options(),
            retired_language=retired,
            shown_language=dict(language_choices()).get(str(get_locale()), str(get_locale())),
        ),
        status,
    )


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("/profile")
@login_required
def profile():
    form = ProfileForm()
    form.locale.choices = language_choices()
    if not form.validate_on_submit():
        return _page(profile=form, status=422)
    try:
        services.update_profile(
            current_actor(),
            current_user._get_current_object(),
            name=form.name.data,
            locale=form.locale.data,
            timezone=form.timezone.data,
            digest=form.digest.data,
            notices=form.notices.data or None,
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _page(profile=form, status=exc.status)
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("account.index"))


@bp.post("/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _page(password=form, status=422)
    user = current_user._get_current_object()
    try:
        ended = auth_services.change_password(
            current_actor(), user, form.current_password.data, form.password.data
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _page(password=form, status=exc.status)
    dispatch_outbox()
    flash(_("Your password is changed. Your other sessions have been logged out."), "success")
    if ended:
        flash(tokens_ended_message(ended), "info")
    return redirect(url_for("account.index"))


@bp.post("/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    user = current_user._get_current_object()
    try:
        auth_services.confirm_identity(
            current_actor(),
            user,
            form.password.data,
            purpose="token.create",
            field="password",
            allow_code=True,
        )
        _token, secret = api_tokens.create_token(
            current_actor(),
            user,
            form.name.data,
            scope=form.scope.data,
            days=form.expires_in_days.data,
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _page(token_form=form, status=exc.status)
    db.session.commit()
    return _page(new_token=secret, token_form=TokenForm(formdata=None))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    api_tokens.revoke_token(current_actor(), token)
    db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for("account.index"))


from konsey.account import security  # noqa: E402, F401  (registers its routes on bp)
