"""Shapes of the action items API (in the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from konsey.actions.services import COMMENT_MAX, DESCRIPTION_MAX, REFERENCE_MAX, TITLE_MAX
from konsey.api.schemas import person_date

STATUS_ENUM = ["open", "in_progress", "done", "cancelled"]
PRIORITY_ENUM = ["low", "normal", "high"]
_id = {"validate": validate.Range(min=1, max=2**31 - 1), "allow_none": True}


class SourceSchema(Schema):
    kind = fields.String(
        metadata={"enum": ["meeting", "agenda_item", "decision"], "description": "most specific"}
    )
    meeting_id = fields.Integer(allow_none=True)
    agenda_item_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class ActionSchema(Schema):
    id = fields.Integer()
    group = fields.String(metadata={"description": "the group's slug"})
    title = fields.String()
    description = fields.String(metadata={"description": "Markdown"})
    owner_state = fields.String(
        allow_none=True, metadata={"description": "ISO 3166-1 alpha-2 of the owing state"}
    )
    assignee = fields.String(allow_none=True, metadata={"description": "email of the person"})
    due_date = fields.Date(metadata={"description": "a date in the owner's time zone"})
    owner_timezone = fields.String(metadata={"description": "the zone the due date is in"})
    status = fields.String(metadata={"enum": STATUS_ENUM})
    overdue = fields.Boolean(metadata={"description": "past its due date in the owner's zone"})
    priority = fields.String(metadata={"enum": PRIORITY_ENUM})
    source = fields.Nested(SourceSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ActionCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(load_default="", validate=validate.Length(max=DESCRIPTION_MAX))
    owner_state = fields.String(
        allow_none=True, load_default=None, metadata={"description": "ISO code, e.g. KZ"}
    )
    assignee = fields.String(
        allow_none=True, load_default=None, metadata={"description": "a group member's email"}
    )
    due_date = fields.Date(required=True, validate=person_date)
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITY_ENUM))
    meeting_id = fields.Integer(load_default=None, **_id)
    agenda_item_id = fields.Integer(load_default=None, **_id)
    decision_id = fields.Integer(load_default=None, **_id)
    confirm_past_due = fields.Boolean(
        load_default=False, metadata={"description": "required for a due date in the past"}
    )


class ActionPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUS_ENUM))
    comment = fields.String(load_default="", validate=validate.Length(max=COMMENT_MAX))
    reference = fields.String(
        load_default="",
        validate=validate.Length(max=REFERENCE_MAX),
        metadata={"description": "evidence, e.g. a note verbale's number and date"},
    )
    document_id = fields.Integer(
        load_default=None, metadata={"description": "a document of the group to attach"}, **_id
    )


class ActionUpdateSchema(Schema):
    id = fields.Integer()
    user = fields.String(allow_none=True, metadata={"description": "email of who recorded it"})
    created_at = fields.DateTime()
    old_status = fields.String(allow_none=True, metadata={"enum": STATUS_ENUM})
    new_status = fields.String(metadata={"enum": STATUS_ENUM})
    comment = fields.String()
    reference = fields.String()
    document_id = fields.Integer(allow_none=True)


class ActionQuerySchema(Schema):
    group = fields.String(metadata={"description": "a group's slug"})
    state = fields.String(metadata={"description": "ISO code of the owing state"})
    assignee = fields.String(metadata={"description": "email"})
    status = fields.String(validate=validate.OneOf(STATUS_ENUM))
    overdue = fields.Boolean()
    due_before = fields.Date(validate=person_date)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
