"""Personal API tokens: shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from konsey import audit
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import ApiToken, User
from konsey.models.base import utcnow
from konsey.models.users import SCOPE_READ_WRITE, TOKEN_SCOPES
from konsey.validation import check_line

PREFIX = "ksy_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    actor: audit.Actor,
    user: User,
    name: str,
    *,
    scope: str = SCOPE_READ_WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret (shown once).

    A token acts as its user (never more), for ``days`` (at most the
    configured maximum), read-only or read-write.
    """
    name = check_line(name, "name", max_length=100)
    if scope not in TOKEN_SCOPES:
        raise ValidationError(_("Choose read-only or read-write."), "scope")
    maximum = current_app.config["API_TOKEN_MAX_DAYS"]
    days = current_app.config["API_TOKEN_DEFAULT_DAYS"] if days is None else days
    if not isinstance(days, int) or not 1 <= days <= maximum:
        raise ValidationError(
            _("A token lasts from 1 to %(n)d days.", n=maximum), "expires_in_days"
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[:10],
        token_hash=_hash(secret),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    audit.record(actor, "token.create", user, token_name=name, scope=scope, days=days)
    return token, secret


def revoke_token(actor: audit.Actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token.user, token_name=token.name)


def revoke_all(actor: audit.Actor, user: User, *, reason: str) -> int:
    """End every token of ``user`` (caller commits); returns how many were live.

    A password change or reset, "log out everywhere else", deactivation and
    reactivation all call this: a token never outlives its user's credentials.
    """
    now = utcnow()
    live = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    # Expired tokens are ended too, so none can ever come back.
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if "tokens" in user.__dict__:
        db.session.expire(user, ["tokens"])
    if live:
        audit.record(actor, "token.revoke_all", user, count=live, reason=reason)
    return live or 0


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active), or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or token.is_expired(now)
        or not token.user.is_active
    ):
        return None
    # Written at most once a minute, so reads through the API stay cheap.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token
