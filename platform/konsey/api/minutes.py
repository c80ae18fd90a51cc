"""API v1: minutes, positions of member states."""

from __future__ import annotations

import functools

from flask import abort, g, jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import Schema, fields, validate

from konsey import policy
from konsey.api.blueprint import KonseyBlueprint
from konsey.api.schemas import ApiErrorSchema
from konsey.errors import Conflict, ServiceError
from konsey.extensions import db
from konsey.minutes import agreement, queries, record, rules, services
from konsey.minutes.decisions import DecisionRow
from konsey.models import Minutes
from konsey.models.base import utcnow
from konsey.place_names import state_name
from konsey.policy import Action
from konsey.web import current_actor

blp = KonseyBlueprint("api_minutes", __name__, url_prefix="/api/v1", description="Minutes")

MINUTES_STATUSES = ["draft", "circulated", "agreed", "signed"]
POSITIONS = ["agree", "reservation", "silence", "pending"]


class MinutesPositionSchema(Schema):
    state = fields.String(metadata={"description": "ISO 3166-1 alpha-2 of the member state"})
    state_name = fields.String()
    position = fields.String(metadata={"enum": POSITIONS})
    version = fields.Integer(
        allow_none=True, metadata={"description": "the version the position is on (the current)"}
    )
    text = fields.String(metadata={"description": "the reservation, or a note"})
    recorded_at = fields.DateTime(allow_none=True)
    recorded_by = fields.String(
        allow_none=True,
        metadata={"description": "the head of delegation's email; null for silence"},
    )


class MinutesVersionSchema(Schema):
    number = fields.Integer()
    sha256 = fields.String()
    note = fields.String()
    created_at = fields.DateTime()


class MinutesDecisionSchema(Schema):
    id = fields.Integer(metadata={"description": "the decision's id (actions point at it)"})
    position = fields.Integer(metadata={"description": "its number in the version"})
    text = fields.String()
    agenda_item = fields.Integer(allow_none=True, metadata={"description": "agenda item id"})
    agenda_item_number = fields.Integer(
        allow_none=True, metadata={"description": "the agenda item's number in the agenda"}
    )


class RemovedDecisionSchema(Schema):
    id = fields.Integer()
    text = fields.String(metadata={"description": "its wording in the last version with it"})
    removed_in_version = fields.Integer()


class MinutesSchema(Schema):
    meeting_id = fields.Integer()
    status = fields.String(metadata={"enum": MINUTES_STATUSES})
    version = fields.Integer(allow_none=True, metadata={"description": "current version number"})
    sha256 = fields.String(
        allow_none=True,
        metadata={
            "description": "SHA-256 of the signed text and decisions (records signed before "
            "issue 15: of the text); null until signed"
        },
    )
    comment_deadline = fields.DateTime(allow_none=True)
    silence_procedure = fields.Boolean()
    agreed_at = fields.DateTime(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    signed_by = fields.String(allow_none=True, metadata={"description": "email of the signatory"})
    positions = fields.List(
        fields.Nested(MinutesPositionSchema),
        metadata={"description": "one per participating member state, on the current version"},
    )
    versions = fields.List(fields.Nested(MinutesVersionSchema))
    decisions = fields.List(
        fields.Nested(MinutesDecisionSchema),
        metadata={"description": "the decisions of the current (signed: the signed) version"},
    )
    removed_decisions = fields.List(
        fields.Nested(RemovedDecisionSchema),
        metadata={"description": "decisions a later version removed (their actions remain)"},
    )
    content_sha256 = fields.String(
        allow_none=True,
        metadata={
            "description": "SHA-256 of the current version's text and decisions (what "
            "agreeing and signing cover; see README)"
        },
    )
    signed_record = fields.Dict(
        allow_none=True,
        metadata={
            "description": "everything the signed record shows, frozen at signing; "
            "null until signed"
        },
    )
    signed_record_sha256 = fields.String(
        allow_none=True,
        metadata={
            "description": "SHA-256 of the signed record's canonical JSON (keys sorted, "
            'separators "," and ":", UTF-8, no ASCII escaping)'
        },
    )
    signed_record_intact = fields.Boolean(
        allow_none=True,
        metadata={"description": "the stored record still matches its SHA-256"},
    )


class MinutesPositionInSchema(Schema):
    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version the position is on; must be the current one"},
    )
    position = fields.String(required=True, validate=validate.OneOf(["agree", "reservation"]))
    text = fields.String(
        load_default="",
        validate=validate.Length(max=services.MAX_RESERVATION),
        metadata={"description": "required for a reservation"},
    )


class DecisionInSchema(Schema):
    id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "an existing decision of the current version; omit for a new one"},
    )
    text = fields.String(required=True, validate=validate.Length(max=services.MAX_DECISION))
    agenda_item = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "agenda item id (of this meeting), or null"},
    )


class MinutesVersionInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=services.MAX_TEXT))
    note = fields.String(load_default="", validate=validate.Length(max=services.MAX_NOTE))
    base_version = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version this one starts from; another written since → 409"},
    )
    comment_deadline = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "a new comment deadline (circulated minutes only)"},
    )
    decisions = fields.List(
        fields.Nested(DecisionInSchema),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=services.MAX_DECISIONS),
        metadata={
            "description": "every decision of the new version, in order; a current decision "
            "left out is removed; omitted: the current decisions unchanged"
        },
    )


def _error(exc: ServiceError):
    body = {"error": {"code": exc.code, "message": exc.message}}
    if exc.field:
        body["error"]["field"] = exc.field
    response = jsonify(body)
    response.status_code = exc.status
    return response


def _load(meeting_id: int) -> Minutes:
    """Load (404) → may see these minutes (403; drafts only for coordinators
    and signatories) → settled as of now."""
    meeting = queries.get_meeting(meeting_id)
    if meeting is None:
        abort(404)
    role = policy.role_in(current_user, meeting.group)
    if not policy.can(current_user, Action.GROUP_VIEW, meeting, role=role):
        abort(403)
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        abort(404, description=_("This meeting has no minutes yet."))
    if not policy.can(current_user, Action.MINUTES_VIEW, minutes, role=role):
        abort(403)
    agreement.settle(minutes, utcnow())
    return minutes


def _dump(minutes: Minutes) -> dict:
    signed = record.load(minutes)
    if signed is not None:
        return _dump_signed(minutes, signed)
    current = minutes.current
    standing = queries.standing(minutes, with_details=False)
    return {
        "meeting_id": minutes.meeting_id,
        "status": minutes.status.value,
        "version": current.number if current else None,
        "sha256": minutes.signed_sha256 if minutes.signed_at else None,
        "comment_deadline": minutes.comment_deadline,
        "silence_procedure": minutes.silence_procedure,
        "agreed_at": minutes.agreed_at,
        "signed_at": minutes.signed_at,
        "signed_by": minutes.signed_by.email if minutes.signed_by else None,
        "positions": [
            {
                "state": s.state.code,
                "state_name": s.state.display_name(),
                "position": s.kind,
                "version": current.number if current else None,
                "text": s.position.text if s.position else "",
                "recorded_at": s.position.recorded_at if s.position else None,
                "recorded_by": (
                    s.position.recorded_by.email if s.position and s.position.recorded_by else None
                ),
            }
            for s in standing.states
        ],
        "versions": [
            {"number": v.number, "sha256": v.sha256, "note": v.note, "created_at": v.created_at}
            for v in minutes.versions
        ],
        "decisions": [
            {
                "id": d.decision_id,
                "position": d.position,
                "text": d.text,
                "agenda_item": d.agenda_item_id,
                "agenda_item_number": d.agenda_item.position if d.agenda_item else None,
            }
            for d in queries.decisions(minutes)
        ],
        "removed_decisions": _removed(minutes),
        "content_sha256": rules.content_sha256(current) if current else None,
        "signed_record": None,
        "signed_record_sha256": None,
        "signed_record_intact": None,
    }


def _removed(minutes: Minutes) -> list[dict]:
    return [
        {"id": d.id, "text": d.text, "removed_in_version": d.removed_in_version}
        for d in queries.removed_decisions(minutes)
    ]


def _dump_signed(minutes: Minutes, signed: record.SignedRecord) -> dict:
    """Signed minutes: what the record shows comes from its snapshot only."""
    data = signed.data
    number = data["version"]["number"]
    return {
        "meeting_id": minutes.meeting_id,
        "status": minutes.status.value,
        "version": number,
        "sha256": minutes.signed_sha256,
        "comment_deadline": minutes.comment_deadline,
        "silence_procedure": data["silence_procedure"],
        "agreed_at": minutes.agreed_at,
        "signed_at": signed.signed_at,
        "signed_by": minutes.signed_by.email if minutes.signed_by else None,
        "positions": [
            {
                "state": s["code"],
                "state_name": state_name(s["code"], s["name"], s.get("names")),
                "position": s["position"],
                "version": number,
                "text": s["text"],
                "recorded_at": record.parse_instant(s["recorded_at"]),
                "recorded_by": None,  # the record names the person, not an address
            }
            for s in data["states"]
        ],
        "versions": [
            {"number": v.number, "sha256": v.sha256, "note": v.note, "created_at": v.created_at}
            for v in minutes.versions
        ],
        "decisions": [
            {
                "id": d["id"],
                "position": d["position"],
                "text": d["text"],
                "agenda_item": d["agenda_item"]["id"] if d["agenda_item"] else None,
                "agenda_item_number": d["agenda_item"]["position"] if d["agenda_item"] else None,
            }
            for d in data["decisions"]
        ],
        "removed_decisions": _removed(minutes),
        "content_sha256": signed.content_sha256 or minutes.signed_sha256,
        "signed_record": data,
        "signed_record_sha256": signed.sha256,
        "signed_record_intact": signed.intact,
    }


@blp.route("/meetings/<int:meeting_id>/minutes")
@blp.response(200, MinutesSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@login_required
def minutes(meeting_id: int):
    """A meeting's minutes: status, current version, each participating state's position."""
    return _dump(_load(meeting_id))


def _head_of_delegation_first(view):
    """Access before the body: a caller who may not record a position gets
    401/403/404 whatever they send, and only a head sees validation errors."""

    @functools.wraps(view)
    def checked(*args, meeting_id: int, **kwargs):
        minutes = _load(meeting_id)
        if not policy.can(current_user, Action.MINUTES_POSITION, minutes):
            if policy.refused_only_by_state(current_user, Action.MINUTES_POSITION, minutes):
                return _error(Conflict(services.status_message(minutes)))
            abort(403)
        g.minutes = minutes
        return view(*args, meeting_id=meeting_id, **kwargs)

    return checked


@blp.route("/meetings/<int:meeting_id>/minutes/positions", methods=["POST"])
@login_required
@_head_of_delegation_first
@blp.arguments(MinutesPositionInSchema)
@blp.response(200, MinutesSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(409, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def record_position(data: dict, meeting_id: int):
    """The head of delegation records their state's position on a version.

    `{"version": n, "position": "agree" | "reservation", "text": "…"}`; the
    version must be the current one (else 409), a reservation needs a text
    (else 422). Answers the minutes as they now stand (agreed, when this was
    the last agreement missing).
    """
    minutes = g.minutes
    try:
        agreement.record_position(
            current_actor(),
            minutes,
            current_user,
            version_number=data["version"],
            position=data["position"],
            text=data.get("text") or "",
            now=utcnow(),
        )
    except ServiceError as exc:
        db.session.rollback()
        return _error(exc)
    return _dump(minutes)


def _coordinator_first(view):
    """Access before the body: only who may edit the minutes sees validation."""

    @functools.wraps(view)
    def checked(*args, meeting_id: int, **kwargs):
        meeting = queries.get_meeting(meeting_id)
        if meeting is None:
            abort(404)
        role = policy.role_in(current_user, meeting.group)
        if not policy.can(current_user, Action.GROUP_VIEW, meeting, role=role):
            abort(403)
        minutes = queries.minutes_of(meeting)
        if minutes is None:
            if not policy.can(current_user, Action.MINUTES_EDIT, meeting, role=role):
                abort(403)
        else:
            if not policy.can(current_user, Action.MINUTES_VIEW, minutes, role=role):
                abort(403)
            agreement.settle(minutes, utcnow())
            if not policy.can(current_user, Action.MINUTES_EDIT, minutes):
                if policy.refused_only_by_state(current_user, Action.MINUTES_EDIT, minutes):
                    return _error(Conflict(services.status_message(minutes)))
                abort(403)
        g.meeting, g.minutes = meeting, minutes
        return view(*args, meeting_id=meeting_id, **kwargs)

    return checked


@blp.route("/meetings/<int:meeting_id>/minutes/versions", methods=["POST"])
@login_required
@_coordinator_first
@blp.arguments(MinutesVersionInSchema)
@blp.response(201, MinutesSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(409, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def add_version(data: dict, meeting_id: int):
    """A coordinator writes the next version of the minutes, with its decisions.

    `{"text": "…", "note": "…", "base_version": n, "comment_deadline": "…",
    "decisions": [{"id": 12, "text": "…", "agenda_item": 34}, {"text": "a new one"}]}`.
    `decisions` lists every decision of the new version in order (a current one
    by its `id`; one left out is removed); omitted, the current decisions are
    carried unchanged. Same text and decisions as the current version → 422;
    an agenda item of another meeting → 422; `base_version` not current → 409.
    """
    rows = None
    if data.get("decisions") is not None:
        rows = [
            DecisionRow(d.get("id"), d["text"], d.get("agenda_item"), f"decisions.{i}")
            for i, d in enumerate(data["decisions"])
        ]
    try:
        services.add_version(
            current_actor(),
            g.meeting,
            g.minutes,
            data["text"],
            note=data.get("note") or "",
            deadline=data.get("comment_deadline"),
            decisions=rows,
            base_version=data.get("base_version"),
            now=utcnow(),
        )
    except ServiceError as exc:
        db.session.rollback()
        return _error(exc)
    minutes = queries.minutes_of(g.meeting)
    return _dump(minutes), 201
