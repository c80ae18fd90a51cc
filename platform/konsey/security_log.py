"""Refused access, on record (OWASP ASVS 7.2.2): who was refused what, and where.

Every 403 answer of the app, whatever produced it (a policy check, a
read-only token, a role that must set up two-factor first), passes through
``record_refusal`` (an ``after_request`` hook): it writes a line to the
``konsey.security`` logger and an ``access.denied`` audit event that admins
filter on the audit log page.

One record per caller and route per window (``ACCESS_REFUSAL_LOG_WINDOW``
seconds): a script hammering a page it may not see does not fill the log.
The window is kept in Redis when ``REDIS_URL`` is set (shared by every web
process; the refusals left out are counted and the next record says how
many), else in the database (the embedded default: the last record's time).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import redis
from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.models import AuditEvent
from konsey.models.base import utcnow

log = logging.getLogger("konsey.security")

ACTION = "access.denied"
REDIS_PREFIX = "konsey:access-refused:"


def note(obj=None, action=None) -> None:
    """What the refused request was about, for the record (before abort(403))."""
    g.refused_object = obj
    g.refused_action = getattr(action, "value", action)


def _caller() -> tuple[int | None, str | None, str]:
    user = current_user if current_user.is_authenticated else None
    via = "token" if user is not None and "Authorization" in request.headers else "session"
    if user is None:
        return None, None, "anonymous"
    return user.id, user.email, via


def _window_key(user_id: int | None, route: str) -> str:
    who = f"user:{user_id}" if user_id is not None else f"ip:{request.remote_addr}"
    return hashlib.sha256(f"{who}|{route}".encode()).hexdigest()[:40]


def _redis_client() -> redis.Redis | None:
    from konsey.auth.throttle import backend

    store = backend()
    return getattr(store, "client", None)


def _first_in_window(user_id: int | None, route: str, window: int) -> tuple[bool, int]:
    """(write a record now?, refusals left out since the last record)."""
    client = _redis_client()
    if client is not None:
        key = REDIS_PREFIX + _window_key(user_id, route)
        try:
            if client.set(key, 1, nx=True, ex=window):
                pipe = client.pipeline()
                pipe.get(key + ":skipped")
                pipe.delete(key + ":skipped")
                skipped, _ = pipe.execute()
                return True, int(skipped or 0)
            pipe = client.pipeline()
            pipe.incr(key + ":skipped")
            pipe.expire(key + ":skipped", 86400)
            pipe.execute()
            return False, 0
        except redis.RedisError:
            log.warning("access refusals: Redis unavailable, windows kept in the database")
    since = utcnow() - timedelta(seconds=window)
    query = select(AuditEvent.details).where(
        AuditEvent.action == ACTION, AuditEvent.created_at >= since
    )
    if user_id is not None:
        query = query.where(AuditEvent.actor_id == user_id)
    else:
        query = query.where(AuditEvent.actor_id.is_(None), AuditEvent.ip == request.remote_addr)
    # At most one row per route and window: a handful to read.
    recent = db.session.scalars(query.limit(500)).all()
    return not any((d or {}).get("route") == route for d in recent), 0


def _object(obj) -> dict:
    if obj is None or getattr(obj, "__tablename__", None) is None:
        return {}
    return audit.object_fields(obj)


def record_refusal(response):
    if response.status_code != 403:
        return response
    try:
        _record()
    except (sa_exc.SQLAlchemyError, redis.RedisError):
        db.session.rollback()
        log.exception("access refused, but the record could not be written")
    return response


def _record() -> None:
    user_id, email, via = _caller()
    rule = request.url_rule.rule if request.url_rule is not None else None
    route = request.endpoint or request.path[:200]
    details = {
        "method": request.method,
        "route": route,
        "rule": rule,
        "path": request.path[:300],
        "via": via,
        "params": {k: str(v)[:100] for k, v in (request.view_args or {}).items()},
    }
    if g.get("refused_action"):
        details["policy_action"] = g.refused_action
    fields = _object(g.get("refused_object"))
    # Nothing of the refused request is kept, only the record of the refusal.
    db.session.rollback()
    window = current_app.config.get("ACCESS_REFUSAL_LOG_WINDOW", 60)
    first, skipped = _first_in_window(user_id, route, window)
    if not first:
        return
    if skipped:
        details["refusals_not_recorded_before"] = skipped
    log.warning(
        "access refused: user=%s email=%s via=%s %s %s route=%s object=%s ip=%s",
        user_id,
        email,
        via,
        request.method,
        request.path[:300],
        route,
        f"{fields.get('object_type')}#{fields.get('object_id')}" if fields else "-",
        request.remote_addr,
        extra={"security": {"user_id": user_id, "email": email, **details, **fields}},
    )
    event = AuditEvent(
        actor_id=user_id, action=ACTION, ip=request.remote_addr, details=details, **fields
    )
    db.session.add(event)
    db.session.commit()
