"""Authorization-matrix rows for the meetings routes (merged into MATRIX)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

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

# Who may say "I will attend": the member-state delegations, not the secretariat.
DELEGATES = ["expert", "delegate", "head"]
FEED_SECRET = "kcal_matrix-feed-secret-of-the-delegate"

ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/groups/<slug>/meetings"): html(MEMBERS),
    ("GET", "/groups/<slug>/meetings/new"): html(MANAGERS),
    ("POST", "/groups/<slug>/meetings/new"): html(MANAGERS),
    ("GET", "/meetings/<int:meeting_id>"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/edit"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/edit"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/cancel"): html(MANAGERS),
    ("GET", "/meetings/<int:meeting_id>/agenda/new"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/agenda/new"): html(MANAGERS),
    ("GET", "/meetings/<int:meeting_id>/agenda/<int:item_id>"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/agenda/<int:item_id>"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/agenda/<int:item_id>/delete"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/agenda/<int:item_id>/move"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/agenda/order"): html(MANAGERS),
    ("GET", "/meetings/<int:meeting_id>/attendance"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/attendance"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/register"): html(DELEGATES),
    ("POST", "/meetings/<int:meeting_id>/withdraw"): html(DELEGATES),
    ("GET", "/meetings/<int:meeting_id>.ics"): html(MEMBERS),
    # The secret in the address is the credential: no session needed.
    ("GET", "/calendar/<feed_token>.ics"): PUBLIC,
    ("POST", "/account/calendar"): html(SESSION_USERS),
    ("POST", "/account/calendar/revoke"): html(SESSION_USERS),
    ("GET", "/api/v1/groups/<slug>/meetings"): api(MEMBERS),
    ("POST", "/api/v1/groups/<slug>/meetings"): api(MANAGERS),
    ("GET", "/api/v1/meetings/<int:meeting_id>"): api(MEMBERS),
    ("PATCH", "/api/v1/meetings/<int:meeting_id>"): api(MANAGERS),
    ("GET", "/api/v1/meetings/<int:meeting_id>.ics"): api(MEMBERS),
}


def extend_world(world: dict) -> None:
    """Add the meetings objects the rows need; put URL parameters in world["params"].

    world["meeting"] is a planned meeting a month ahead (registration open)
    with one agenda item; the delegate has a calendar feed.
    """
    from konsey.extensions import db
    from konsey.models import AgendaItem, Meeting

    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    meeting = Meeting(
        group=world["group"],
        title="Matrix meeting",
        number="1st Meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        timezone="Asia/Almaty",
        venue_city="Astana",
    )
    item = AgendaItem(meeting=meeting, position=1, title="Opening", description="")
    db.session.add_all([meeting, item])
    world["users"]["delegate"].calendar_token_hash = hashlib.sha256(
        FEED_SECRET.encode()
    ).hexdigest()
    db.session.flush()
    world["meeting"] = meeting
    world["params"].update(meeting_id=meeting.id, item_id=item.id, feed_token=FEED_SECRET)
