"""Service errors as API answers: ``{"error": {"code", "message", "field"}}``.

A service's ValidationError becomes a 422 naming the offending field (in the
API's own field names), like flask-smorest's schema errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import wraps

from flask import abort, g
from flask_login import current_user

from konsey import policy, security_log
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.policy import Action


def abort_for(exc: ServiceError, fields: Mapping[str, str] | None = None):
    """Roll back and answer the service's error as JSON."""
    from konsey.web import json_error

    db.session.rollback()
    field = (fields or {}).get(exc.field, exc.field) if exc.field else None
    response, status = json_error(exc.status, exc.code, exc.message, field)
    response.status_code = status
    abort(response)


@contextmanager
def service_errors(fields: Mapping[str, str] | None = None) -> Iterator[None]:
    """``with service_errors({"venue_city": "venue"}): services.change(...)``"""
    try:
        yield
    except ServiceError as exc:
        abort_for(exc, fields)


def guard(action: Action, loader):
    """Log in (401) → load (404) → check access (403), before the body is read:
    the policy decides whatever is sent."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            obj = loader(**kwargs)
            if obj is None:
                abort(404)
            if not policy.can(current_user, action, obj):
                security_log.note(obj, action)
                abort(403)
            g.api_object = obj
            return func(*args, **kwargs)

        return wrapper

    return decorator
