"""Login throttling per account and per IP address (OWASP ASVS 2.2.1).

Failed logins (wrong password or wrong second-factor code) are counted per
account and per IP address within a window. When an account reaches its
limit it is locked for a while, even for the right password, so guessing
from many addresses does not help; an IP address is locked only at a much
higher count, so colleagues behind one office address keep working. One
account's lock never touches another account.

Counters live in Redis when ``REDIS_URL`` is set (shared by every web
process), else in the database (the embedded default). Both backends offer
the same three calls: ``locked_for``, ``fail`` and ``clear``.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import timedelta

import redis
from flask import current_app
from flask_babel import ngettext
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.models import LoginThrottle
from konsey.models.base import utcnow

log = logging.getLogger("konsey.auth")

REDIS_PREFIX = "konsey:login-throttle:"


class Throttled(ServiceError):
    status = 429
    code = "too_many_requests"

    def __init__(self, seconds: int, scope: str):
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(
            ngettext(
                "Too many failed attempts; try again in %(num)d minute.",
                "Too many failed attempts; try again in %(num)d minutes.",
                minutes,
            )
        )
        self.seconds = seconds
        self.scope = scope  # "account" or "ip"


class DatabaseBackend:
    def locked_for(self, key: str) -> int:
        row = db.session.scalar(
            select(LoginThrottle)
            .where(LoginThrottle.key == key)
            .execution_options(populate_existing=True)
        )
        now = utcnow()
        if row is None or row.locked_until is None or row.locked_until <= now:
            return 0
        return math.ceil((row.locked_until - now).total_seconds())

    def fail(self, key: str, limit: int, window: int, lockout: int) -> None:
        now = utcnow()
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        # Insert-or-keep, then lock the row: concurrent failures all count.
        db.session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, window_started_at=now)
            .on_conflict_do_nothing()
        )
        row = db.session.scalar(
            select(LoginThrottle)
            .where(LoginThrottle.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row.window_started_at + timedelta(seconds=window) <= now:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + timedelta(seconds=lockout)
            row.failures, row.window_started_at = 0, now
        # Forget counters whose window and lock are both over.
        db.session.execute(
            delete(LoginThrottle).where(
                LoginThrottle.key != key,
                LoginThrottle.window_started_at < now - timedelta(seconds=window),
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
            )
        )
        db.session.commit()

    def clear(self, key: str) -> None:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
        db.session.commit()


class RedisBackend:
    def __init__(self, client: redis.Redis, prefix: str = REDIS_PREFIX):
        self.client = client
        self.prefix = prefix

    def locked_for(self, key: str) -> int:
        ttl = self.client.ttl(self.prefix + "lock:" + key)
        return max(int(ttl), 0)

    def fail(self, key: str, limit: int, window: int, lockout: int) -> None:
        counter = self.prefix + "fail:" + key
        pipe = self.client.pipeline()
        pipe.incr(counter)
        # The window starts at the first failure (NX keeps it from sliding).
        pipe.expire(counter, window, nx=True)
        count, _ = pipe.execute()
        if count >= limit:
            pipe = self.client.pipeline()
            pipe.set(self.prefix + "lock:" + key, 1, ex=lockout)
            pipe.delete(counter)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + "fail:" + key, self.prefix + "lock:" + key)


_clients: dict[str, redis.Redis] = {}


def backend():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseBackend()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    prefix = current_app.config.get("LOGIN_THROTTLE_REDIS_PREFIX", REDIS_PREFIX)
    return RedisBackend(_clients[url], prefix)


def _keys(email: str, ip: str | None) -> list[tuple[str, str]]:
    # Hashed so the table and Redis hold no list of the addresses people typed.
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:40]
    keys = [("account", f"account:{digest}")]
    if ip:
        keys.append(("ip", f"ip:{ip[:45]}"))
    return keys


def _limit(scope: str) -> int:
    name = "LOGIN_THROTTLE_ACCOUNT_MAX" if scope == "account" else "LOGIN_THROTTLE_IP_MAX"
    return current_app.config[name]


def _with_fallback(call):
    """A Redis outage must not lock everyone out: count in the database meanwhile."""
    store = backend()
    try:
        return call(store)
    except redis.RedisError:
        log.warning("login throttle: Redis unavailable, counting in the database")
        return call(DatabaseBackend())


def check(email: str, ip: str | None) -> None:
    """Raise Throttled if the account or the address is locked."""
    for scope, key in _keys(email, ip):
        seconds = _with_fallback(lambda store, key=key: store.locked_for(key))
        if seconds > 0:
            raise Throttled(seconds, scope)


def record_failure(email: str, ip: str | None) -> None:
    config = current_app.config
    for scope, key in _keys(email, ip):
        _with_fallback(
            lambda store, scope=scope, key=key: store.fail(
                key,
                _limit(scope),
                config["LOGIN_THROTTLE_WINDOW"],
                config["LOGIN_THROTTLE_LOCKOUT"],
            )
        )


def clear_account(email: str) -> None:
    """After a successful login the account's count starts again (not the IP's)."""
    _scope, key = _keys(email, None)[0]
    _with_fallback(lambda store: store.clear(key))
