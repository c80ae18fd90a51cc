"""Server-side login sessions (OWASP ASVS V3).

The browser's signed cookie carries "<user id>:<token>"; the token is 32
random bytes and only its SHA-256 is stored. A session is good while its
row is not revoked, the absolute lifetime has not passed and (unless the
user chose "remember me") it has been used within the idle timeout. So
logging out, a password change and deactivation end sessions on the
server, not only by deleting a cookie.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import contains_eager

from konsey import audit
from konsey.extensions import db
from konsey.models import User, UserSession
from konsey.models.base import utcnow

# last_seen_at is written at most this often: not one write per request.
TOUCH_INTERVAL = timedelta(seconds=60)
KEEP_ENDED = timedelta(days=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, *, ip: str | None, user_agent: str | None, remember: bool) -> str:
    """A new session for ``user`` (caller commits); returns its secret token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "SESSION_MAX_AGE"]
    if isinstance(lifetime, timedelta):
        lifetime = lifetime.total_seconds()
    row = UserSession(
        user=user,
        token_hash=_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=lifetime),
        remember=remember,
        ip=(ip or None) and ip[:45],
        user_agent=(user_agent or "")[:300] or None,
    )
    db.session.add(row)
    if user.id is not None:
        # The user's sessions that ended over a month ago are of no more use.
        cutoff = now - KEEP_ENDED
        db.session.execute(
            delete(UserSession).where(
                UserSession.user_id == user.id,
                or_(UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff),
            )
        )
    db.session.flush()
    _attach(user, row, token)
    return token


def _attach(user: User, row: UserSession, token: str) -> None:
    # Read by User.get_id() (Flask-Login) and by the sessions page.
    user.session_token = token
    user.current_session_id = row.id


def is_live(row: UserSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if row.revoked_at is not None or now >= row.expires_at:
        return False
    idle = timedelta(seconds=current_app.config["SESSION_IDLE_TIMEOUT"])
    return row.remember or now - row.last_seen_at < idle


def load(user_id: int, token: str) -> User | None:
    """The active user whose live session this is, or None."""
    if not token or len(token) > 100:
        return None
    # The session and its user in one query: this runs on every request.
    row = db.session.scalar(
        select(UserSession)
        .join(UserSession.user)
        .options(contains_eager(UserSession.user).joinedload(User.member_state))
        .where(UserSession.token_hash == _hash(token))
    )
    if row is None or row.user_id != user_id or not is_live(row):
        return None
    user = row.user
    if not user.is_active:
        return None
    now = utcnow()
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        db.session.commit()
    _attach(user, row, token)
    return user


def current_id(user) -> int | None:
    return getattr(user, "current_session_id", None)


def active(user: User) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    rows = db.session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [row for row in rows if is_live(row)]


def end(actor: audit.Actor, row: UserSession) -> None:
    """End one session (caller commits)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(actor, "session.end", row.user, session_id=row.id)


def end_all(user: User, *, keep: int | None = None) -> int:
    """End every session of ``user`` except ``keep`` (caller commits)."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    result = db.session.execute(
        query.values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


_BROWSERS = [
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"Firefox/"),
    ("Chromium", r"Chromium/"),
    ("Chrome", r"Chrome/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
]


def device(user_agent: str | None) -> str:
    """A short human name for a browser ("Firefox on Windows")."""
    ua = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, ua)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, ua)), None)
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or (ua[:60] if ua else "?")
