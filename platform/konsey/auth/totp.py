"""Two-factor authentication: TOTP codes (RFC 6238) and one-time recovery codes.

Enrolment stores a fresh secret first; it counts only after the user has
typed a code from their app (``confirm``). A code is accepted for the
current 30-second step or one step either side (clock drift), and never
for a step at or before the last one accepted, so a code seen over a
shoulder cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from konsey import audit
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import RecoveryCode, User
from konsey.models.base import utcnow

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l look-alikes
_CODE_RE = re.compile(r"^\d{6}$")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "")).lower()[:64]


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def begin(actor: audit.Actor, user: User) -> str:
    """Start enrolment: a new secret, not yet in force. Returns the secret."""
    if user.has_two_factor:
        raise Conflict(_("Two-factor authentication is already on."))
    user.totp_secret = pyotp.random_base32()  # 160 bits
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.commit()
    return user.totp_secret


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used, in one conditional UPDATE: of several requests
    racing with the same code, exactly one sees its row change."""
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False  # already used (here or by a concurrent request): a replay
    set_committed_value(user, "totp_last_step", step)
    return True


def _accept_totp(user: User, code: str) -> bool:
    if not user.totp_secret or not _CODE_RE.match(code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(utcnow())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # already used: a replay
            return _claim_step(user, step)
    return False


def _use_recovery_code(user: User, code: str) -> bool:
    code_id = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if code_id is None:
        return False
    # Conditional: a code two requests found unused is used by only one of them.
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def accept_app_code(user: User, code: str) -> bool:
    """A fresh code from the authenticator app (not a recovery code); consumes it."""
    return user.has_two_factor and _accept_totp(user, _normalise(code))


def accept(user: User, code: str) -> bool:
    """Is ``code`` a fresh TOTP code or an unused recovery code? (Consumes it;
    caller commits.)"""
    code = _normalise(code)
    if not user.has_two_factor or not code:
        return False
    if _CODE_RE.match(code):
        return _accept_totp(user, code)
    return _use_recovery_code(user, code)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))  # 50 bits
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def confirm(actor: audit.Actor, user: User, code: str) -> list[str]:
    """Turn 2FA on with a code from the app; returns the recovery codes (shown once)."""
    if user.has_two_factor:
        raise Conflict(_("Two-factor authentication is already on."))
    if not user.totp_secret:
        raise ValidationError(_("Start the set-up first."), "code")
    if not _accept_totp(user, _normalise(code)):
        raise ValidationError(
            _("The code is not correct. Check the time on your phone and try again."), "code"
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.record(actor, "user.2fa_enable", user)
    db.session.commit()
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(actor: audit.Actor, user: User, password: str, code: str) -> None:
    """Turn 2FA off: needs the password and a current code (or a recovery code)."""
    if not user.has_two_factor:
        raise Conflict(_("Two-factor authentication is off."))
    from konsey.auth.services import confirm_identity, confirm_second_factor

    confirm_identity(actor, user, password, purpose="2fa_disable", field="password")
    confirm_second_factor(actor, user, code, purpose="2fa_disable")
    _clear(user)
    audit.record(actor, "user.2fa_disable", user)
    db.session.commit()


def reset(actor: audit.Actor, user: User) -> None:
    """An admin turns a user's 2FA off (a lost phone and no recovery codes)."""
    _clear(user)
    audit.record(actor, "user.2fa_reset", user)
    db.session.commit()


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
