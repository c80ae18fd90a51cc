"""Shapes of the action items API (in the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from konsey.actions import workflow
from konsey.actions.editing import EDIT_FIELDS  # noqa: F401 - the API edits what the service does
from konsey.actions.services import COMMENT_MAX, DESCRIPTION_MAX, REFERENCE_MAX, TITLE_MAX
from konsey.api.schemas import person_date

STATUS_ENUM = ["open", "in_progress", "reported", "done", "cancelled"]
WORKFLOW = (
    "`reported`: done by the owing delegation's word, awaiting the secretariat. "
    "The moves (from → to: who may make it; *owner* = the owing state's delegation "
    "or the named person, *coordinator* = the group's coordinators):\n"
    + workflow.describe()
    + "\n\nAn owner's `done` is recorded as `reported` (the response's `notice` says so); "
    "a coordinator's `done` is immediate. A report on a done or cancelled action is a 409; "
    "a move that is the other side's is a 403."
)
PRIORITY_ENUM = ["low", "normal", "high"]
_id = {"validate": validate.Range(min=1, max=2**31 - 1), "allow_none": True}


class SourceSchema(Schema):
    kind = fields.String(
        metadata={"enum": ["meeting", "agenda_item", "decision"], "description": "most specific"}
    )
    meeting_id = fields.Integer(allow_none=True)
    meeting_title = fields.String(allow_none=True)
    agenda_item_id = fields.Integer(allow_none=True)
    agenda_item_number = fields.Integer(
        allow_none=True, metadata={"description": "the item's number on the meeting's agenda"}
    )
    agenda_item_title = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    decision_number = fields.Integer(
        allow_none=True, metadata={"description": "the decision's number in the minutes"}
    )
    decision_removed_in_version = fields.Integer(
        allow_none=True,
        metadata={"description": "the minutes version that removed the decision, if any"},
    )
    label = fields.String(
        metadata={"description": 'as pages show it: "3rd Meeting · item 6, Place and date… · '
                  'decision 2"'}
    )  # fmt: skip


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
    status = fields.String(metadata={"enum": STATUS_ENUM, "description": WORKFLOW})
    overdue = fields.Boolean(
        metadata={"description": "past its due date in the owner's zone (never when reported)"}
    )
    priority = fields.String(metadata={"enum": PRIORITY_ENUM})
    source = fields.Nested(SourceSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    notice = fields.String(
        allow_none=True,
        metadata={"description": "after a change: what happened, e.g. recorded as reported"},
    )


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
    confirm_duplicate = fields.Boolean(
        load_default=False,
        metadata={
            "description": "required to create another action from a decision that already "
            "has actions (else 409 with their list in `error.existing`)"
        },
    )


class ActionPatchSchema(Schema):
    """Either progress (status, comment, reference, document_id) or an edit
    (coordinators: any of title, description, owner_state, assignee,
    due_date, priority, meeting_id, agenda_item_id, decision_id; each change
    is an entry of the history), not both in one request."""

    status = fields.String(validate=validate.OneOf(STATUS_ENUM), metadata={"description": WORKFLOW})
    expected_status = fields.String(
        validate=validate.OneOf(STATUS_ENUM),
        metadata={"description": "the status the caller last saw; 409 if it has changed since"},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=COMMENT_MAX))
    reference = fields.String(
        load_default="",
        validate=validate.Length(max=REFERENCE_MAX),
        metadata={"description": "evidence, e.g. a note verbale's number and date"},
    )
    document_id = fields.Integer(
        load_default=None, metadata={"description": "a document of the group to attach"}, **_id
    )
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    owner_state = fields.String(allow_none=True, metadata={"description": "ISO code, or null"})
    assignee = fields.String(allow_none=True, metadata={"description": "email, or null"})
    due_date = fields.Date(validate=person_date)
    priority = fields.String(validate=validate.OneOf(PRIORITY_ENUM))
    meeting_id = fields.Integer(**_id)
    agenda_item_id = fields.Integer(**_id)
    decision_id = fields.Integer(**_id)
    confirm_past_due = fields.Boolean(load_default=False)


class ChangeSchema(Schema):
    field = fields.String()
    old = fields.String(allow_none=True)
    new = fields.String(allow_none=True)


class ActionUpdateSchema(Schema):
    id = fields.Integer()
    user = fields.String(allow_none=True, metadata={"description": "email of who recorded it"})
    created_at = fields.DateTime()
    old_status = fields.String(allow_none=True, metadata={"enum": STATUS_ENUM})
    new_status = fields.String(metadata={"enum": STATUS_ENUM})
    comment = fields.String()
    reference = fields.String()
    document_id = fields.Integer(allow_none=True)
    changes = fields.List(
        fields.Nested(ChangeSchema),
        allow_none=True,
        metadata={"description": "an edit's changes, values as they read then"},
    )


class ActionQuerySchema(Schema):
    group = fields.String(metadata={"description": "a group's slug"})
    state = fields.String(metadata={"description": "ISO code of the owing state"})
    assignee = fields.String(metadata={"description": "email"})
    status = fields.String(validate=validate.OneOf(STATUS_ENUM))
    overdue = fields.Boolean()
    due_before = fields.Date(validate=person_date)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
