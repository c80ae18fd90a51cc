"""Authorization-matrix rows for translation statuses and the meeting's document
list and ZIP (merged into MATRIX).

The world's meeting has no document on its agenda (the world's paper is not
linked, and other tests count the world's documents), so its ZIP answers 404
("nothing you may read") to every member the policy lets through, and 403 to
the others; tests/integration/test_meeting_documents.py checks who gets which file.
"""

from __future__ import annotations

from tests.integration.matrix_roles import MANAGERS, MEMBERS, NOTFOUND, api, html

_DOC = "/groups/<slug>/documents/<int:document_id>"


def _zip(rows):
    return {role: NOTFOUND if outcome == "allow" else outcome for role, outcome in rows.items()}


ROWS: dict[tuple[str, str], dict[str, str]] = {
    # An empty form is refused (422) only after the policy let the coordinator through.
    ("POST", _DOC + "/translations"): html(MANAGERS),
    ("PUT", "/api/v1/documents/<int:document_id>/translations/<language>"): api(MANAGERS),
    ("GET", "/meetings/<int:meeting_id>/documents"): html(MEMBERS),
    ("GET", "/meetings/<int:meeting_id>/documents.zip"): _zip(html(MEMBERS)),
    ("GET", "/api/v1/meetings/<int:meeting_id>/documents.zip"): _zip(api(MEMBERS)),
}


def extend_world(world: dict) -> None:
    world["params"]["language"] = "ru"
