"""Errors that services raise; routes turn them into messages and 4xx answers."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out; nothing has been changed."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(ServiceError):
    status = 422
    code = "validation_error"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
