"""Authorization-matrix rows for the minutes routes (merged into MATRIX)."""

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

# Who comments on circulated minutes: the member-state delegations.
DELEGATES = ["expert", "delegate", "head"]
# Who records a state's position: its head of delegation, and only them.
HEADS = ["head"]

ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/groups/<slug>/minutes"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/minutes"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/minutes/diff"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/minutes/print"): html(MEMBERS),
    ("POST", "/meetings/<int:meeting_id>/minutes/versions"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/minutes/circulate"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/minutes/decisions"): html(MANAGERS),
    # Issue 15: a draft's decisions edited and removed directly (the world's
    # minutes are circulated: managers get a 409, everyone else a 403).
    ("POST", "/meetings/<int:meeting_id>/minutes/decisions/<int:decision_id>"): html(MANAGERS),
    (
        "POST",
        "/meetings/<int:meeting_id>/minutes/decisions/<int:decision_id>/remove",
    ): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/minutes/comments"): html(DELEGATES),
    ("POST", "/meetings/<int:meeting_id>/minutes/positions"): html(HEADS),
    # The world's minutes are circulated, not agreed: those who may sign get a
    # 409 ("not agreed yet"), everyone else a 403.
    ("POST", "/meetings/<int:meeting_id>/minutes/sign"): html(MANAGERS),
    ("GET", "/api/v1/meetings/<int:meeting_id>/minutes"): api(MEMBERS),
    ("POST", "/api/v1/meetings/<int:meeting_id>/minutes/positions"): api(HEADS),
    ("POST", "/api/v1/meetings/<int:meeting_id>/minutes/versions"): api(MANAGERS),
}


def extend_world(world: dict) -> None:
    """Add the minutes objects the rows need; put URL parameters in world["params"].

    Circulated minutes (two versions, a deadline a week ahead, one decision)
    of the meetings part's meeting (world["params"]["meeting_id"]: the routes
    of both parts share that parameter), or of a meeting made here without it.
    """
    import hashlib
    from datetime import UTC, datetime, timedelta

    from konsey.extensions import db
    from konsey.models import (
        Decision,
        Meeting,
        Minutes,
        MinutesStatus,
        MinutesVersion,
        VersionDecision,
    )

    now = datetime.now(UTC).replace(microsecond=0)
    meeting_id = world["params"].get("meeting_id")
    meeting = db.session.get(Meeting, meeting_id) if meeting_id else None
    if meeting is None:
        meeting = Meeting(group=world["group"], title="Matrix meeting", timezone="Asia/Almaty")
        db.session.add(meeting)
    minutes = Minutes(
        meeting=meeting,
        status=MinutesStatus.CIRCULATED,
        comment_deadline=now + timedelta(days=7),
        silence_procedure=False,
        circulated_at=now,
    )
    for number, text in enumerate(["# Minutes\n\nOpening.", "# Minutes\n\nOpening.\n\nClose."]):
        minutes.versions.append(
            MinutesVersion(
                number=number + 1,
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                created_by_id=world["users"]["coordinator"].id,
            )
        )
    decision = Decision(minutes=minutes, position=1, text="Adopted.")
    minutes.versions[-1].decisions.append(
        VersionDecision(decision=decision, position=1, text="Adopted.")
    )
    db.session.add_all([minutes, decision])
    db.session.flush()
    world["params"].setdefault("decision_id", decision.id)
    world["minutes"] = minutes
    world["params"]["meeting_id"] = meeting.id
