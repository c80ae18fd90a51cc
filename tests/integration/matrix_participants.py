"""Authorization-matrix rows for the list of participants (merged into MATRIX).

The world's meeting is planned a month ahead; its list holds one named
participant of Kazakhstan (the head's own state) without an account.
"""

from __future__ import annotations

from tests.integration.matrix_roles import MANAGERS, MEMBERS, api, html

# The head registers their own state's participants; coordinators anyone's.
REGISTRARS = ["head", "coordinator", "admin"]

ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/meetings/<int:meeting_id>/participants"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/participants/print"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/participants.csv"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/participants.xlsx"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/participants/new"): html(REGISTRARS),
    ("POST", "/meetings/<int:meeting_id>/participants/new"): html(REGISTRARS),
    ("GET", "/meetings/<int:meeting_id>/participants/<int:entry_id>"): html(REGISTRARS),
    ("POST", "/meetings/<int:meeting_id>/participants/<int:entry_id>"): html(REGISTRARS),
    ("POST", "/meetings/<int:meeting_id>/participants/<int:entry_id>/remove"): html(REGISTRARS),
    ("POST", "/meetings/<int:meeting_id>/participants/<int:entry_id>/confirm"): html(MANAGERS),
    # On the world's (future) meeting a coordinator's POST is refused with 409: allowed.
    ("GET", "/meetings/<int:meeting_id>/participants/attendance"): html(MANAGERS),
    ("POST", "/meetings/<int:meeting_id>/participants/attendance"): html(MANAGERS),
    ("GET", "/api/v1/meetings/<int:meeting_id>/participants"): api(MEMBERS),
}


def extend_world(world: dict) -> None:
    """A named participant of Kazakhstan on world["meeting"] (after matrix_meetings)."""
    from konsey.extensions import db
    from konsey.models import MeetingParticipant

    entry = MeetingParticipant(
        meeting=world["meeting"],
        member_state_id=world["states"]["KZ"].id,
        name="Matrix Minister",
        title="Minister",
    )
    db.session.add(entry)
    db.session.flush()
    world["params"]["entry_id"] = entry.id
