"""Personal API tokens: shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.models import ApiToken, User
from konsey.models.base import utcnow
from konsey.validation import check_text

PREFIX = "ksy_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor: audit.Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret (shown once)."""
    name = check_text(name, "name", max_length=100)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:10], token_hash=_hash(secret))
    db.session.add(token)
    audit.record(actor, "token.create", user, token_name=name)
    return token, secret


def revoke_token(actor: audit.Actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token.user, token_name=token.name)


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # Written at most once a minute, so reads through the API stay cheap.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token.user
