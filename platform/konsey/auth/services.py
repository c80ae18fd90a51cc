"""Logging in, password reset and account set-up; no Flask request objects here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from konsey import audit
from konsey.auth import links
from konsey.auth.passwords import hash_password, needs_rehash, verify_password
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.mail.outbox import queue_email
from konsey.models import User
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

    The password hash is verified even for an unknown email (against a dummy
    hash) so both failures take the same time.
    """
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok or not user.is_active:
        if user is not None:
            audit.record(
                actor, "user.login_failed", user, reason="password" if not ok else "inactive"
            )
            db.session.commit()
        raise ValidationError(str(LOGIN_FAILED), "password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(audit.Actor(user, actor.ip), "user.login", user)
    db.session.commit()
    return user


def set_password(actor: audit.Actor, user: User, password: str, *, action: str) -> None:
    """Set a new password and end every existing session of the user."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.session_nonce = new_session_nonce()
    audit.record(actor, action, user)


def change_password(actor: audit.Actor, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current or ""):
        raise ValidationError(str(_l("The current password is not correct.")), "current_password")
    set_password(actor, user, new, action="user.password_change")
    db.session.commit()


def request_password_reset(actor: audit.Actor, email: str) -> None:
    """Email a reset link if the address belongs to an active account.

    Says nothing either way to the caller (no account enumeration).
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    purpose = "reset" if user.has_password else "setup"
    token = links.make_token(user, purpose)
    queue_email(
        user,
        "password_reset" if purpose == "reset" else "invitation",
        _l("Konsey: reset your password")
        if purpose == "reset"
        else _l("Konsey: set up your account"),
        token=token,
    )
    audit.record(actor, "user.password_reset_requested", user)
    db.session.commit()


def send_invitation(actor: audit.Actor, user: User) -> None:
    """Queue the first-time set-up email (caller commits)."""
    token = links.make_token(user, "setup")
    queue_email(user, "invitation", _l("Konsey: set up your account"), token=token)
    audit.record(actor, "user.invitation_sent", user)


def complete_link(actor: audit.Actor, token: str, purpose: str, password: str) -> User:
    """Use a reset or set-up link to set the password (once)."""
    user = links.load_user(token, purpose)
    set_password(
        audit.Actor(user, actor.ip),
        user,
        password,
        action="user.password_reset" if purpose == "reset" else "user.account_setup",
    )
    db.session.commit()
    return user
