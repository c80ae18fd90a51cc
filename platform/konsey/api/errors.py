"""Service errors as API answers: ``{"error": {"code", "message", "field"}}``.

A service's ValidationError becomes a 422 naming the offending field (in the
API's own field names), like flask-smorest's schema errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from flask import abort

from konsey.errors import ServiceError
from konsey.extensions import db


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
