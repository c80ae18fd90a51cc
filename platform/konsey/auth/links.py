"""Signed, expiring, single-use links for password reset and account set-up.

The token carries a fingerprint of the user's current password hash: once
the link has been used to set a password, the fingerprint no longer matches,
so the same link cannot be used twice.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from konsey.extensions import db
from konsey.models import User

PURPOSES = {"reset": "PASSWORD_RESET_MAX_AGE", "setup": "INVITATION_MAX_AGE"}


class LinkError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"konsey.{purpose}")


def _fingerprint(user: User) -> str:
    material = f"{user.password_hash or ''}|{user.session_nonce}|{user.is_active}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def load_user(token: str, purpose: str) -> User:
    max_age = current_app.config[PURPOSES[purpose]]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise LinkError("invalid")
    return user
