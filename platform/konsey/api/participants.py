"""API v1: a meeting's list of participants (read-only; it is kept on the
meeting's pages).

Delegations come in the list's order: member states by their names in the
council's working language, then the secretariat (``member_state`` null),
then observer states (``observer: true``). ``attended`` is null until the
secretariat records attendance. ``email`` is given only to those who may
edit the entry (the secretariat, the delegation's head); null otherwise.
"""

from __future__ import annotations

from flask import g
from flask_login import current_user
from marshmallow import Schema, fields

from konsey import policy
from konsey.api.blueprint import KonseyBlueprint
from konsey.api.errors import guard
from konsey.api.schemas import ApiErrorSchema
from konsey.meetings import participant_list, queries
from konsey.policy import Action

blp = KonseyBlueprint(
    "api_participants", __name__, url_prefix="/api/v1", description="Participants of meetings"
)


class AccreditationSchema(Schema):
    reference = fields.String(metadata={"description": "the note verbale's reference"})
    date = fields.Date(allow_none=True, metadata={"description": "the note verbale's date"})


class ParticipantSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    title = fields.String(metadata={"description": "title or function"})
    organisation = fields.String()
    email = fields.String(
        allow_none=True, metadata={"description": "only for those who may edit the entry"}
    )
    has_account = fields.Boolean(metadata={"description": "a Konsey account, or a named person"})
    head_of_delegation = fields.Boolean()
    accreditation = fields.Nested(
        AccreditationSchema, metadata={"description": 'none recorded: reference "", date null'}
    )
    registered_at = fields.AwareDateTime(allow_none=True)
    confirmed = fields.Boolean()
    confirmed_at = fields.AwareDateTime(allow_none=True)
    attended = fields.Boolean(
        allow_none=True, metadata={"description": "null: attendance not recorded"}
    )


class ParticipantDelegationSchema(Schema):
    member_state = fields.String(
        allow_none=True, metadata={"description": "ISO 3166-1 alpha-2; null for the secretariat"}
    )
    name = fields.String(metadata={"description": "the delegation's name in the working language"})
    observer = fields.Boolean(metadata={"description": "an observer state"})
    participants = fields.List(fields.Nested(ParticipantSchema))


class ParticipantListSchema(Schema):
    meeting = fields.Integer()
    working_language = fields.String()
    count = fields.Integer()
    delegations = fields.List(fields.Nested(ParticipantDelegationSchema))


def _entry(p, may_edit: bool) -> dict:
    return {
        "id": p.id,
        "name": p.display_name,
        "title": p.title,
        "organisation": p.organisation,
        "email": ((p.email or (p.user.email if p.user else "")) or None) if may_edit else None,
        "has_account": p.has_account,
        "head_of_delegation": p.is_head,
        "accreditation": {"reference": p.accreditation_reference, "date": p.accreditation_date},
        "registered_at": p.registered_at,
        "confirmed": p.confirmed,
        "confirmed_at": p.confirmed_at,
        "attended": p.attended,
    }


def _meeting(meeting_id: int, **_kw):
    return queries.get_meeting(meeting_id)


@blp.route("/meetings/<int:meeting_id>/participants")
@guard(Action.GROUP_VIEW, _meeting)
@blp.response(200, ParticipantListSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def meeting_participants(meeting_id: int):
    """The meeting's list of participants, by delegation."""
    meeting = g.api_object
    role = policy.role_in(current_user, meeting.group)
    entries = participant_list.entries(meeting)
    listing = participant_list.grouped(entries)
    language = participant_list.working_language()
    return {
        "meeting": meeting.id,
        "working_language": language,
        "count": listing.count,
        "delegations": [
            {
                "member_state": d.state.code if d.state else None,
                "name": participant_list.delegation_label(d.state, language),
                "observer": bool(d.state and not d.state.is_member),
                "participants": [
                    _entry(p, policy.can(current_user, Action.PARTICIPANT_REGISTER, p, role=role))
                    for p in d.people
                ],
            }
            for d in listing
        ],
    }
