"""Shapes of the API's answers; the OpenAPI document is generated from them."""

from marshmallow import Schema, ValidationError, fields

from konsey import validation
from konsey.errors import ServiceError


def person_date(value) -> None:
    """marshmallow validator: the one rule for dates a person gives."""
    try:
        validation.check_date(value, "")
    except ServiceError as exc:
        raise ValidationError(exc.message) from None


def person_instant(value) -> None:
    """marshmallow validator: the one rule for instants a person gives."""
    if value is None:
        return
    try:
        validation.check_instant(value, "")
    except ServiceError as exc:
        raise ValidationError(exc.message) from None


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String()


class ApiErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class MemberStateSchema(Schema):
    code = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    name = fields.String()
    status = fields.String(metadata={"enum": ["member", "observer"]})


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    member_state = fields.String(
        allow_none=True, metadata={"description": "ISO 3166-1 alpha-2; null for the secretariat"}
    )
    locale = fields.String()
    timezone = fields.String()
    digest = fields.String(metadata={"enum": ["off", "immediately", "daily", "weekly"]})
    notices = fields.String(
        metadata={
            "enum": ["immediately", "digest"],
            "description": '"Needs you" notices: an email each, or only in the digest',
        }
    )
    is_admin = fields.Boolean()


ROLE_ENUM = ["coordinator", "head", "delegate", "expert", "observer"]


class GroupSummarySchema(Schema):
    slug = fields.String()
    name = fields.String()
    mandate = fields.String()
    role = fields.String(
        allow_none=True,
        metadata={"enum": ROLE_ENUM, "description": "the caller's role; null if not a member"},
    )
    member_count = fields.Integer()


class MemberSchema(Schema):
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": ROLE_ENUM})


class DelegationSchema(Schema):
    state = fields.String(
        allow_none=True, metadata={"description": "ISO 3166-1 alpha-2; null for guests"}
    )
    state_name = fields.String(allow_none=True)
    status = fields.String(allow_none=True, metadata={"enum": ["member", "observer"]})
    members = fields.List(fields.Nested(MemberSchema))


class GroupSchema(GroupSummarySchema):
    coordinators = fields.List(fields.Nested(MemberSchema))
    delegations = fields.List(fields.Nested(DelegationSchema))
