"""API v1: action items and their updates.

Load (404) and access (403) are checked before the body is read, so a caller
without the right learns nothing from validation errors.
"""

from __future__ import annotations

import functools
import json

from flask import abort, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from konsey import policy, security_log
from konsey.actions import queries, services
from konsey.actions.labels import source_label
from konsey.actions.overdue import Clock, is_overdue
from konsey.actions.workflow import NotYours
from konsey.api.action_schemas import (
    EDIT_FIELDS,
    ActionCreateSchema,
    ActionPatchSchema,
    ActionQuerySchema,
    ActionSchema,
    ActionUpdateSchema,
)
from konsey.api.blueprint import KonseyBlueprint
from konsey.api.schemas import ApiErrorSchema
from konsey.errors import ServiceError, ValidationError
from konsey.extensions import db
from konsey.groups.queries import get_group
from konsey.models import ActionItem, ActionStatus, MemberState, User, WorkingGroup
from konsey.policy import Action
from konsey.validation import normalize_email
from konsey.web import current_actor, json_error

blp = KonseyBlueprint("api_actions", __name__, url_prefix="/api/v1", description="Action items")


def _guard(load=None, action: Action | None = None):
    """Login (401) → load (404) → access (403), before flask-smorest parses the body."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if load is not None:
                obj = load(**kwargs)
                if obj is None:
                    abort(404)
                if not policy.can(current_user, action, obj):
                    security_log.note(obj, action)
                    abort(403)
                g.api_object = obj
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _group(slug: str, **_) -> WorkingGroup | None:
    return get_group(slug)


def _item(action_id: int, **_) -> ActionItem | None:
    return queries.get_action(action_id)


# Service field names → the API's (an error names the field the caller sent).
API_FIELDS = {
    "meeting": "meeting_id",
    "agenda_item": "agenda_item_id",
    "decision": "decision_id",
    "document": "document_id",
}


def _error(exc: ServiceError):
    db.session.rollback()
    response, status = json_error(
        exc.status, exc.code, exc.message, API_FIELDS.get(exc.field, exc.field)
    )
    existing = getattr(exc, "existing", None)
    if existing is not None:  # a decision's actions, when another needs confirming
        body = response.get_json()
        body["error"]["existing"] = [
            {"id": a.id, "title": a.title, "status": a.status.value} for a in existing
        ]
        response.set_data(json.dumps(body))
    return response, status


def _source(item: ActionItem) -> dict | None:
    ids = (item.meeting_id, item.agenda_item_id, item.decision_id)
    if not any(ids):
        return None
    kind = "decision" if ids[2] else "agenda_item" if ids[1] else "meeting"
    agenda, decision = item.agenda_item, item.decision
    return {
        "kind": kind,
        "meeting_id": item.meeting_id,
        "meeting_title": item.meeting.title if item.meeting else None,
        "agenda_item_id": item.agenda_item_id,
        "agenda_item_number": agenda.position if agenda else None,
        "agenda_item_title": agenda.title if agenda else None,
        "decision_id": item.decision_id,
        "decision_number": decision.position if decision else None,
        "decision_removed_in_version": getattr(decision, "removed_in_version", None),
        "label": source_label(item),
    }


def dump(item: ActionItem, overdue: bool, notice: str | None = None) -> dict:
    return {
        "id": item.id,
        "group": item.group.slug,
        "title": item.title,
        "description": item.description,
        "owner_state": item.owner_state.code if item.owner_state else None,
        "assignee": item.assignee.email if item.assignee else None,
        "due_date": item.due_date,
        "owner_timezone": item.owner_timezone,
        "status": item.status.value,
        "overdue": overdue,
        "priority": item.priority.value,
        "source": _source(item),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        **({"notice": notice} if notice else {}),
    }


@blp.route("/actions")
@_guard()
@blp.arguments(ActionQuerySchema, location="query")
@blp.response(200, ActionSchema(many=True))
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def list_actions(args):
    """Action items in the caller's groups, by due date (filters combine).

    A member state's system can follow its own actions with `?state=KZ`.
    """
    f = queries.ActionFilter(
        state=(args.get("state") or "").strip().upper() or None,
        assignee_email=(args.get("assignee") or "").strip().lower() or None,
        statuses=[ActionStatus(args["status"])] if args.get("status") else [],
        overdue=args.get("overdue"),
        due_before=args.get("due_before"),
    )
    if args.get("group"):
        f.group_ids = list(
            db.session.scalars(select(WorkingGroup.id).where(WorkingGroup.slug == args["group"]))
        )
    clock = Clock.load(services.now_utc())
    page = queries.list_actions(
        current_user, f, clock, page=args["page"], per_page=args["per_page"]
    )
    return [dump(item, overdue) for item, overdue in page.rows], {"X-Total-Count": str(page.total)}


@blp.route("/groups/<slug>/actions", methods=["POST"])
@_guard(_group, Action.ACTION_MANAGE)
@blp.arguments(ActionCreateSchema)
@blp.response(201, ActionSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def create_action(data, slug: str):
    """Create an action item in the group (coordinators). A due date in the
    past needs `confirm_past_due: true`."""
    group = g.api_object
    try:
        state = _state(data["owner_state"])
        assignee = _person(data["assignee"])
        item = services.create_action(
            current_actor(),
            group,
            title=data["title"],
            description=data["description"],
            owner_state=state,
            assignee=assignee,
            due_date=data["due_date"],
            priority=data["priority"],
            meeting_id=data["meeting_id"],
            agenda_item_id=data["agenda_item_id"],
            decision_id=data["decision_id"],
            confirm_past_due=data["confirm_past_due"],
            confirm_duplicate=data["confirm_duplicate"],
            now=services.now_utc(),
        )
    except ServiceError as exc:
        return _error(exc)
    return dump(item, is_overdue(item, services.now_utc()))


def _state(code: str | None) -> MemberState | None:
    if not code:
        return None
    state = db.session.scalar(select(MemberState).where(MemberState.code == code.upper()))
    if state is None:
        raise ValidationError(_("Unknown member state code."), "owner_state")
    return state


def _person(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(select(User).where(User.email == normalize_email(email, "assignee")))
    if user is None:
        raise ValidationError(_("Nobody has this email address."), "assignee")
    return user


@blp.route("/actions/<int:action_id>")
@_guard(_item, Action.ACTION_VIEW)
@blp.response(200, ActionSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_action(action_id: int):
    """One action item; `overdue` follows the owner's time zone."""
    item = g.api_object
    return dump(item, is_overdue(item, services.now_utc()))


@blp.route("/actions/<int:action_id>", methods=["PATCH"])
@_guard(_item, Action.ACTION_UPDATE)
@blp.arguments(ActionPatchSchema)
@blp.response(200, ActionSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(409, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def patch_action(data, action_id: int):
    """Record progress — a new `status` and/or a `comment`, a `reference` as
    evidence (coordinators, the named person, the owing state's delegation),
    by the workflow in `status`'s description — or edit the action
    (coordinators: the fields title … decision_id; each change is an entry of
    the history). Not both in one request."""
    item = g.api_object
    edits = {name: data[name] for name in EDIT_FIELDS if name in data}
    try:
        if edits:
            _edit(item, edits, data)
            return dump(item, is_overdue(item, services.now_utc()))
        update = services.update_action(
            current_actor(),
            item,
            status=data.get("status"),
            comment=data["comment"],
            reference=data["reference"],
            document_id=data["document_id"],
            seen_status=data.get("expected_status"),
            now=services.now_utc(),
        )
    except ServiceError as exc:
        return _error(exc)
    notice = None
    if update.new_status == ActionStatus.REPORTED and data.get("status") == "done":
        notice = _("Recorded as reported: the secretariat acknowledges a delegation's done.")
    return dump(item, is_overdue(item, services.now_utc()), notice)


def _edit(item: ActionItem, edits: dict, data: dict) -> None:
    if not policy.can(current_user, Action.ACTION_MANAGE, item):
        security_log.note(item, Action.ACTION_MANAGE)
        raise NotYours(_("Only a coordinator can edit an action."))
    if "status" in data or data["reference"] or data["document_id"]:
        raise ValidationError(
            _("Edit an action and record its progress in separate requests."), "status"
        )
    if "owner_state" in edits:
        edits["owner_state"] = _state(edits["owner_state"])
    if "assignee" in edits:
        edits["assignee"] = _person(edits["assignee"])
    services.edit_action(
        current_actor(),
        item,
        comment=data["comment"],
        confirm_past_due=data["confirm_past_due"],
        now=services.now_utc(),
        **edits,
    )


@blp.route("/actions/<int:action_id>/updates")
@_guard(_item, Action.ACTION_VIEW)
@blp.response(200, ActionUpdateSchema(many=True))
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def action_updates(action_id: int):
    """The item's history, oldest first (the first entry is its creation)."""
    return [
        {
            "id": u.id,
            "user": u.user.email if u.user else None,
            "created_at": u.created_at,
            "old_status": u.old_status.value if u.old_status else None,
            "new_status": u.new_status.value,
            "comment": u.comment,
            "reference": u.reference,
            "document_id": u.document_id,
            "changes": u.changes,
        }
        for u in queries.updates_of(g.api_object)
    ]
