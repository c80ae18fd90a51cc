"""Authorization-matrix rows for the actions routes (merged into MATRIX)."""

from __future__ import annotations

from tests.integration.matrix_roles import (  # noqa: F401
    ADMINS,
    ALLOW,
    DENY,
    LOGIN,
    MANAGERS,
    MEMBERS,
    NOTFOUND,
    PUBLIC,
    ROLES,
    SESSION_USERS,
    api,
    html,
)

UPDATERS = ["expert", "delegate", "head", "coordinator", "admin"]  # of the KZ-owed item

ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/groups/<slug>/actions"): html(MEMBERS),
    ("GET", "/groups/<slug>/actions/export.csv"): html(MEMBERS),
    ("GET", "/groups/<slug>/actions/export.xlsx"): html(MEMBERS),
    ("GET", "/groups/<slug>/actions/new"): html(MANAGERS),
    ("POST", "/groups/<slug>/actions/new"): html(MANAGERS),
    ("GET", "/groups/<slug>/actions/from-decision/<int:decision_id>"): html(MANAGERS),
    ("POST", "/groups/<slug>/actions/from-decision/<int:decision_id>"): html(MANAGERS),
    ("GET", "/groups/<slug>/actions/<int:action_id>"): html(MEMBERS),
    ("POST", "/groups/<slug>/actions/<int:action_id>/update"): html(UPDATERS),
    # A delegation reports done; a coordinator "reporting" closes it at once.
    ("POST", "/groups/<slug>/actions/<int:action_id>/report"): html(UPDATERS),
    # Settling a report is the coordinators' (on an item not reported: 409, allowed).
    ("POST", "/groups/<slug>/actions/<int:action_id>/acknowledge"): html(MANAGERS),
    ("POST", "/groups/<slug>/actions/<int:action_id>/send-back"): html(MANAGERS),
    ("GET", "/groups/<slug>/actions/<int:action_id>/edit"): html(MANAGERS),
    ("POST", "/groups/<slug>/actions/<int:action_id>/edit"): html(MANAGERS),
    ("GET", "/actions/mine"): html(SESSION_USERS),
    ("GET", "/actions/mine/export.csv"): html(SESSION_USERS),
    ("GET", "/actions/mine/export.xlsx"): html(SESSION_USERS),
    ("GET", "/actions/council"): html(MANAGERS),
    ("GET", "/api/v1/actions"): api(SESSION_USERS),
    ("POST", "/api/v1/groups/<slug>/actions"): api(MANAGERS),
    ("GET", "/api/v1/actions/<int:action_id>"): api(MEMBERS),
    ("GET", "/api/v1/actions/<int:action_id>/updates"): api(MEMBERS),
    ("PATCH", "/api/v1/actions/<int:action_id>"): api(UPDATERS),
}


def extend_world(world: dict) -> None:
    """Add the actions objects the rows need; put URL parameters in world["params"].

    world["action"]: an open item of world["group"] owed by Kazakhstan (the
    delegation's state), due in a month; ``decision_id``: a decision of the
    group's minutes (the minutes part's one, else one made here).
    """
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import select

    from konsey.extensions import db
    from konsey.models import (
        ActionItem,
        ActionStatus,
        ActionUpdate,
        Decision,
        Meeting,
        Minutes,
    )

    group = world["group"]
    decision = db.session.scalar(
        select(Decision)
        .join(Minutes, Minutes.id == Decision.minutes_id)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Meeting.group_id == group.id)
        .limit(1)
    )
    if decision is None:
        meeting = Meeting(group=group, title="Actions matrix meeting", timezone="Asia/Almaty")
        minutes = Minutes(meeting=meeting)
        decision = Decision(minutes=minutes, position=1, text="Kazakhstan informs the Secretariat.")
        db.session.add_all([meeting, minutes, decision])
    now = datetime.now(UTC)
    item = ActionItem(
        group=group,
        title="Inform the Secretariat of the place and date of the next meeting",
        owner_state=world["states"]["KZ"],
        due_date=date.today() + timedelta(days=30),
        created_by_id=world["users"]["coordinator"].id,
        created_at=now,
        updated_at=now,
    )
    item.updates.append(ActionUpdate(new_status=ActionStatus.OPEN, created_at=now))
    db.session.add(item)
    db.session.flush()
    world["action"] = item
    world["params"].update(action_id=item.id, decision_id=decision.id)
