"""API v1: the caller, the groups, a group's roster."""

from __future__ import annotations

from flask import abort
from flask_login import current_user, login_required

from konsey import policy
from konsey.api.blueprint import KonseyBlueprint
from konsey.api.schemas import ApiErrorSchema, GroupSchema, GroupSummarySchema, MeSchema
from konsey.groups import queries
from konsey.policy import Action

blp = KonseyBlueprint("api", __name__, url_prefix="/api/v1", description="Konsey API v1")


def _member(m) -> dict:
    return {"email": m.user.email, "name": m.user.name, "role": m.role.value}


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@login_required
def me():
    """The user the call is authenticated as."""
    user = current_user
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "member_state": user.member_state.code if user.member_state else None,
        "locale": user.locale,
        "timezone": user.timezone,
        "digest": user.digest.value,
        "notices": user.notices.value,
        "is_admin": user.is_admin,
    }


@blp.route("/groups")
@blp.response(200, GroupSummarySchema(many=True))
@blp.alt_response(401, schema=ApiErrorSchema)
@login_required
def groups():
    """Every working group of the council, with the caller's role in it."""
    if not policy.can(current_user, Action.GROUP_LIST):
        abort(403)
    roles = policy.roles_by_group(current_user)
    return [
        {
            "slug": g.slug,
            "name": g.name,
            "mandate": g.mandate,
            "role": roles[g.id].value if g.id in roles else None,
            "member_count": count,
        }
        for g, count in queries.groups_with_counts()
    ]


@blp.route("/groups/<slug>")
@blp.response(200, GroupSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@login_required
def group(slug: str):
    """A group and its roster, delegation by delegation (403 outside the group)."""
    group = queries.get_group(slug)
    if group is None:
        abort(404)
    role = policy.role_in(current_user, group)
    if not policy.can(current_user, Action.GROUP_VIEW, group, role=role):
        abort(403)
    roster = queries.roster(group)
    return {
        "slug": group.slug,
        "name": group.name,
        "mandate": group.mandate,
        "role": role.value if role else None,
        "member_count": roster.size,
        "coordinators": [_member(m) for m in roster.coordinators],
        "delegations": [
            {
                "state": d.state.code if d.state else None,
                "state_name": d.state.display_name() if d.state else None,
                "status": d.state.status.value if d.state else None,
                "members": [_member(m) for m in d.ordered()],
            }
            for d in roster.delegations
        ],
    }
