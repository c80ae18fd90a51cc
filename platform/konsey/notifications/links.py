"""The signed one-click link in every digest: change the frequency or stop."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from konsey.extensions import db
from konsey.models import User

MAX_AGE = 90 * 24 * 3600  # a digest's link works for 90 days


class LinkError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="konsey.digest")


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id})


def load_user(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active:
        raise LinkError("invalid")
    return user


# One-click unsubscribe (RFC 8058) ------------------------------------------------
LIST_CLASSES = ("notices", "digest")
UNSUBSCRIBE_MAX_AGE = 180 * 24 * 3600  # an old email's header still works for half a year


def _unsubscribe_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="konsey.unsubscribe")


def make_unsubscribe_token(user_id: int, list_class: str) -> str:
    """Minted when the email is delivered, never stored."""
    return _unsubscribe_serializer().dumps({"u": user_id, "c": list_class})


def load_unsubscribe(token: str) -> tuple[User, str]:
    """The user and the class of mail the token turns off."""
    try:
        data = _unsubscribe_serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    if not isinstance(data, dict) or data.get("c") not in LIST_CLASSES:
        raise LinkError("invalid")
    user_id = data.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise LinkError("invalid")
    return user, data["c"]
