"""``/healthz``: is the database (and the broker, when configured) answering?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from konsey.extensions import db

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "down"
        db.session.rollback()
        return f"error: {type(exc).__name__}"
    return "ok"


def _redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    except ValueError as exc:  # a REDIS_URL redis-py cannot parse (no redis:// scheme)
        return f"error: {type(exc).__name__}"
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"error: {type(exc).__name__}"
    finally:
        client.close()
    return "ok"


@bp.get("/healthz")
def healthz():
    checks = {"database": _database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis(current_app.config["REDIS_URL"])
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    return jsonify(body), 200 if healthy else 503
