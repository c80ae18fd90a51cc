"""API v1: meetings and their agendas.

Times go in as ISO 8601 with an offset (any offset: the instant is what
counts; a time without an offset is refused) and come out in UTC, e.g.
``2017-11-09T07:00:00+00:00``. ``venue`` is one string: the text after its
last comma is the city, the rest the address ("Çırağan Palace, Istanbul").
The agenda is read-only here; it is edited on the meeting's page.
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from konsey.api.blueprint import KonseyBlueprint
from konsey.api.errors import guard, service_errors
from konsey.api.schemas import ApiErrorSchema, person_instant
from konsey.groups import queries as group_queries
from konsey.meetings import queries, services
from konsey.models import MeetingStatus
from konsey.policy import Action
from konsey.web import current_actor

blp = KonseyBlueprint("api_meetings", __name__, url_prefix="/api/v1", description="Meetings")

STATUSES = [s.value for s in MeetingStatus]
# Service field names → the API's.
API_FIELDS = {"venue_city": "venue", "venue_address": "venue"}


class AgendaItemSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    description = fields.String(metadata={"description": "Markdown"})
    lead_state = fields.String(
        allow_none=True, metadata={"description": "ISO 3166-1 alpha-2 of the leading state"}
    )
    lead_person = fields.String(allow_none=True, metadata={"description": "name of the lead"})
    duration_minutes = fields.Integer(allow_none=True)
    outcome = fields.String(metadata={"description": "Markdown, after the meeting"})


class MeetingSchema(Schema):
    id = fields.Integer()
    group = fields.String(metadata={"description": "the group's slug"})
    title = fields.String()
    number = fields.String(metadata={"description": 'e.g. "2nd Meeting"'})
    starts_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "UTC; null while the date is not yet known"}
    )
    ends_at = fields.AwareDateTime(allow_none=True)
    timezone = fields.String(metadata={"description": "the venue's IANA time zone"})
    venue = fields.String()
    online_url = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    sequence = fields.Integer(metadata={"description": "iCalendar SEQUENCE; rises on change"})
    agenda = fields.List(fields.Nested(AgendaItemSchema))


class MeetingPatchSchema(Schema):
    """The fields to change; the others keep their values."""

    title = fields.String(validate=validate.Length(min=1, max=200))
    number = fields.String(validate=validate.Length(max=60))
    starts_at = fields.AwareDateTime(
        allow_none=True,
        validate=person_instant,
        metadata={"description": "ISO 8601 with an offset; null: date not yet known"},
    )
    ends_at = fields.AwareDateTime(allow_none=True, validate=person_instant)
    timezone = fields.String(metadata={"description": "IANA name, e.g. Asia/Baku"})
    venue = fields.String(
        validate=validate.Length(max=422),
        metadata={"description": 'e.g. "Çırağan Palace, Istanbul" (address, city)'},
    )
    online_url = fields.String(validate=validate.Length(max=500))
    status = fields.String(validate=validate.OneOf(STATUSES))


class MeetingCreateSchema(MeetingPatchSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = fields.String(required=True, metadata={"description": "IANA name, e.g. Asia/Baku"})


def _agenda_item(item) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "description": item.description,
        "lead_state": item.lead_state.code if item.lead_state else None,
        "lead_person": item.lead_user.name if item.lead_user else None,
        "duration_minutes": item.duration_minutes,
        "outcome": item.outcome,
    }


def meeting_json(meeting) -> dict:
    return {
        "id": meeting.id,
        "group": meeting.group.slug,
        "title": meeting.title,
        "number": meeting.number,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "timezone": meeting.timezone,
        "venue": meeting.venue,
        "online_url": meeting.online_url,
        "status": meeting.status.value,
        "sequence": meeting.sequence,
        "agenda": [_agenda_item(i) for i in meeting.agenda],
    }


def _values(data: dict) -> dict:
    """The API's fields → the service's."""
    values = {k: v for k, v in data.items() if k != "venue"}
    if "venue" in data:
        address, _, city = (data["venue"] or "").rpartition(",")
        values["venue_city"] = city.strip()
        values["venue_address"] = address.strip()
    return values


_guard = guard


def _group(slug: str, **_kw):
    return group_queries.get_group(slug)


def _meeting(meeting_id: int, **_kw):
    return queries.get_meeting(meeting_id, agenda=True)


ERRORS = (401, 403, 404)


@blp.route("/groups/<slug>/meetings")
class GroupMeetings(MethodView):
    @_guard(Action.GROUP_VIEW, _group)
    @blp.response(200, MeetingSchema(many=True))
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, slug: str):
        """The group's meetings with their agendas, the latest first."""
        return [meeting_json(m) for m in queries.meetings_of(g.api_object, agenda=True)]

    @_guard(Action.MEETING_MANAGE, _group)
    @blp.arguments(MeetingCreateSchema)
    @blp.response(201, MeetingSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, data: dict, slug: str):
        """Plan a meeting (coordinators and admins)."""
        with service_errors(API_FIELDS):
            meeting = services.create_meeting(current_actor(), g.api_object, _values(data))
        return meeting_json(queries.get_meeting(meeting.id, agenda=True))


@blp.route("/meetings/<int:meeting_id>")
class MeetingResource(MethodView):
    @_guard(Action.GROUP_VIEW, _meeting)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, meeting_id: int):
        """A meeting with its agenda."""
        return meeting_json(g.api_object)

    @_guard(Action.MEETING_MANAGE, _meeting)
    @blp.arguments(MeetingPatchSchema)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def patch(self, data: dict, meeting_id: int):
        """Change a meeting (coordinators and admins); "status": "cancelled" cancels it."""
        meeting = g.api_object
        with service_errors(API_FIELDS):
            services.update_meeting(current_actor(), meeting, _values(data))
        return meeting_json(queries.get_meeting(meeting.id, agenda=True))


@blp.route("/meetings/<int:meeting_id>.ics")
@blp.doc(
    responses={
        "200": {
            "description": "RFC 5545 calendar with the meeting's VEVENT",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
    }
)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="unknown, or its date is not yet known")
@_guard(Action.GROUP_VIEW, _meeting)
def meeting_ics(meeting_id: int):
    """The meeting as an .ics file (404 while its date is not yet known)."""
    from konsey.meetings.calendar_routes import meeting_ics as ics

    return ics(g.api_object)
