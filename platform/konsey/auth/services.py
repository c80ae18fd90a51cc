"""Logging in, password reset and account set-up; no Flask request objects here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from konsey import audit
from konsey.auth import api_tokens, links, sessions, throttle, totp
from konsey.auth.passwords import hash_password, needs_rehash, verify_password
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.mail.outbox import queue_email
from konsey.models import User, UserSession
from konsey.models.base import utcnow
from konsey.models.users import new_session_nonce
from konsey.validation import check_password

# One message for every failure, so the answer does not tell whether an
# email address has an account.
LOGIN_FAILED = _l("Wrong email or password, or the account is not active.")


def find_user_by_email(email: str) -> User | None:
    email = (email or "").strip().lower()
    if not email or len(email) > 254:
        return None
    return db.session.scalar(select(User).where(User.email == email))


def authenticate(actor: audit.Actor, email: str, password: str) -> User:
    """The user with these credentials, or ValidationError(LOGIN_FAILED).

    Throttled (429) while the account or the address is locked, before the
    password is even looked at: the right password does not open a locked
    account. The password hash is verified even for an unknown email
    (against a dummy hash) so both failures take the same time.
    """
    user = find_user_by_email(email)
    _check_throttle(actor, email, user)
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok or not user.is_active:
        if user is not None:
            audit.record(
                actor, "user.login_failed", user, reason="password" if not ok else "inactive"
            )
            db.session.commit()
        throttle.record_failure(email, actor.ip)
        raise ValidationError(str(LOGIN_FAILED), "password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def _check_throttle(actor: audit.Actor, email: str, user: User | None) -> None:
    try:
        throttle.check(email, actor.ip)
    except throttle.Throttled as exc:
        audit.record(actor, "user.login_throttled", user, scope=exc.scope, seconds=exc.seconds)
        db.session.commit()
        raise


def check_second_factor(actor: audit.Actor, user: User, code: str) -> None:
    """The login's second step: a TOTP or recovery code, throttled like passwords."""
    _check_throttle(actor, user.email, user)
    if not user.is_active or not totp.accept(user, code):
        db.session.rollback()
        audit.record(actor, "user.login_failed", user, reason="second_factor")
        db.session.commit()
        throttle.record_failure(user.email, actor.ip)
        raise ValidationError(str(_l("The code is not correct.")), "code")
    db.session.commit()


def confirm_second_factor(actor: audit.Actor, user: User, code: str, *, purpose: str) -> None:
    """A session proves it holds the second factor (a code is consumed; caller
    commits), under the login's throttle; failures are audited."""
    _check_throttle(actor, user.email, user)
    if not user.is_active or not totp.accept(user, code):
        db.session.rollback()
        audit.record(actor, "user.reauth_failed", user, purpose=purpose, reason="second_factor")
        db.session.commit()
        throttle.record_failure(user.email, actor.ip)
        raise ValidationError(str(_l("The code is not correct.")), "code")


def begin_session(actor: audit.Actor, user: User, *, user_agent: str | None, remember: bool) -> str:
    """The login succeeded: a new server-side session; returns its token."""
    throttle.clear_account(user.email)
    user.last_login_at = utcnow()
    token = sessions.start(user, ip=actor.ip, user_agent=user_agent, remember=remember)
    audit.record(audit.Actor(user, actor.ip), "user.login", user)
    db.session.commit()
    return token


def end_session(actor: audit.Actor, user: User) -> None:
    """Log out: this device's session ends on the server."""
    session_id = sessions.current_id(user)
    row = db.session.get(UserSession, session_id) if session_id else None
    if row is not None:
        sessions.end(actor, row)
    audit.record(actor, "user.logout", user)
    db.session.commit()


def confirm_identity(
    actor: audit.Actor,
    user: User,
    secret: str,
    *,
    purpose: str,
    field: str = "current_password",
    allow_code: bool = False,
) -> None:
    """A logged-in session proves again that it is the user before a
    sensitive step (a new password, a token, turning 2FA off).

    The password (or, with ``allow_code`` and 2FA on, a fresh code from the
    authenticator app) is checked under the same throttle as the login, and
    every failure is audited; a stolen session cannot guess its way through.
    """
    _check_throttle(actor, user.email, user)
    secret = secret or ""
    ok = verify_password(user.password_hash, secret)
    if not ok and allow_code and user.has_two_factor:
        ok = totp.accept_app_code(user, secret)
    if not ok or not user.is_active:
        db.session.rollback()
        audit.record(actor, "user.reauth_failed", user, purpose=purpose)
        db.session.commit()
        throttle.record_failure(user.email, actor.ip)
        if allow_code and user.has_two_factor:
            message = _l("The password or the code is not correct.")
        elif purpose == "password_change":
            message = _l("The current password is not correct.")
        else:
            message = _l("The password is not correct.")
        raise ValidationError(str(message), field)
    audit.record(actor, "user.reauth", user, purpose=purpose)


def set_password(
    actor: audit.Actor, user: User, password: str, *, action: str, keep_session: int | None = None
) -> int:
    """Set a new password and end every session of the user (but ``keep_session``)
    and every API token; returns how many live tokens ended (caller commits).

    Replacing a password (not setting the first one) is also told to the
    user by email, in case it was not them.
    """
    check_password(password, email=user.email, name=user.name)
    replaced = user.has_password
    user.password_hash = hash_password(password)
    # Also invalidates outstanding reset and set-up links (links.py).
    user.session_nonce = new_session_nonce()
    sessions.end_all(user, keep=keep_session)
    ended = api_tokens.revoke_all(actor, user, reason=action)
    audit.record(actor, action, user, tokens_ended=ended)
    if replaced:
        queue_email(user, "password_changed", _l("Konsey: your password was changed"), tokens=ended)
    return ended


def change_password(actor: audit.Actor, user: User, current: str, new: str) -> int:
    """Returns how many API tokens ended with the old password."""
    confirm_identity(actor, user, current, purpose="password_change")
    ended = set_password(
        actor, user, new, action="user.password_change", keep_session=sessions.current_id(user)
    )
    db.session.commit()
    return ended


def end_other_sessions(actor: audit.Actor, user: User) -> tuple[int, int]:
    """ "Log out everywhere else": every other session and every API token end.

    Returns (sessions ended, tokens ended)."""
    ended = sessions.end_all(user, keep=sessions.current_id(user))
    tokens = api_tokens.revoke_all(actor, user, reason="session.end_others")
    audit.record(actor, "session.end_others", user, count=ended, tokens=tokens)
    db.session.commit()
    return ended, tokens


def request_password_reset(actor: audit.Actor, email: str) -> None:
    """Email a reset link if the address belongs to an active account.

    Says nothing either way to the caller (no account enumeration). The link
    itself is minted at send time, never stored (konsey.mail.secret_links).
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    purpose = "reset" if user.has_password else "setup"
    queue_email(
        user,
        "password_reset" if purpose == "reset" else "invitation",
        _l("Konsey: reset your password")
        if purpose == "reset"
        else _l("Konsey: set up your account"),
        link_purpose=purpose,
    )
    audit.record(actor, "user.password_reset_requested", user)
    db.session.commit()


def send_invitation(actor: audit.Actor, user: User) -> None:
    """Queue the first-time set-up email (caller commits).

    An account that has a password already gets none: a set-up link would
    let whoever reads it choose the password of a working account."""
    if user.has_password:
        raise Conflict(
            str(_l("This account is set up already; the person can reset their own password."))
        )
    queue_email(user, "invitation", _l("Konsey: set up your account"), link_purpose="setup")
    audit.record(actor, "user.invitation_sent", user)


def complete_link(actor: audit.Actor, token: str, purpose: str, password: str) -> tuple[User, int]:
    """Use a reset or set-up link to set the password (once); returns the user
    and how many API tokens ended."""
    user = links.load_user(token, purpose)
    ended = set_password(
        audit.Actor(user, actor.ip),
        user,
        password,
        action="user.password_reset" if purpose == "reset" else "user.account_setup",
    )
    db.session.commit()
    return user, ended
