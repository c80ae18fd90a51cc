"""Authorization-matrix rows for translation statuses and the meeting's document
list and ZIP (merged into MATRIX).

world["meeting_paper"]: a working paper of the group (visible to the group, not
to its observers) linked to the world meeting's agenda item, so the meeting's
ZIP has a file for the delegations and nothing for the observer (404).
"""

from __future__ import annotations

from tests.integration.matrix_roles import MANAGERS, MEMBERS, NOTFOUND, api, html

_DOC = "/groups/<slug>/documents/<int:document_id>"


def _zip(rows):
    # The observer may open the meeting but may read none of its documents: 404.
    return {**rows, "observer": NOTFOUND}


ROWS: dict[tuple[str, str], dict[str, str]] = {
    # An empty form is refused (422) only after the policy let the coordinator through.
    ("POST", _DOC + "/translations"): html(MANAGERS),
    ("PUT", "/api/v1/documents/<int:document_id>/translations/<language>"): api(MANAGERS),
    ("GET", "/meetings/<int:meeting_id>/documents"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/documents.zip"): _zip(html(MEMBERS)),
    ("GET", "/api/v1/meetings/<int:meeting_id>/documents.zip"): _zip(api(MEMBERS)),
}


def extend_world(world: dict) -> None:
    """After matrix_meetings and matrix_documents."""
    import io

    from konsey import audit
    from konsey.documents import services

    [paper] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(b"Matrix meeting paper.\n"), "meeting-paper.txt")],
        title="Matrix meeting paper",
        kind="working_paper",
        language="en",
        visibility="group",
        agenda_item=world["params"]["item_id"],
    )
    world["meeting_paper"] = paper
    world["params"]["language"] = "ru"
