"""Authorization-matrix rows for the documents routes (merged into MATRIX)."""

from __future__ import annotations

import io

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

# Upload: coordinators and delegations; observers never write.
UPLOADERS = ["expert", "delegate", "head", "coordinator", "admin"]
# The world's document is visible to the "group": its observers may not read it.
READERS = ["expert", "delegate", "head", "coordinator", "admin"]

_DOC = "/groups/<slug>/documents/<int:document_id>"
_API_DOC = "/api/v1/documents/<int:document_id>"

ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/groups/<slug>/documents"): html(MEMBERS),
    ("GET", "/groups/<slug>/documents/upload"): html(UPLOADERS),
    ("POST", "/groups/<slug>/documents/upload"): html(UPLOADERS),
    ("GET", "/groups/<slug>/documents/deleted"): html(MANAGERS),
    ("GET", _DOC): html(READERS),
    ("POST", _DOC + "/versions"): html(UPLOADERS),
    ("GET", _DOC + "/versions/<int:version_number>/file"): html(READERS),
    ("POST", _DOC + "/delete"): html(MANAGERS),
    # An admin is let through, then told (409) that only a deleted document is purged.
    ("POST", _DOC + "/purge"): html(ADMINS),
    ("GET", "/documents/search"): html(SESSION_USERS),  # a redirect to /search
    ("GET", "/search"): html(SESSION_USERS),
    ("GET", "/api/v1/groups/<slug>/documents"): api(MEMBERS),
    ("POST", "/api/v1/groups/<slug>/documents"): api(UPLOADERS),
    ("GET", _API_DOC): api(READERS),
    ("GET", _API_DOC + "/versions"): api(READERS),
    ("POST", _API_DOC + "/versions"): api(UPLOADERS),
    ("GET", _API_DOC + "/versions/<int:version_number>/file"): api(READERS),
    ("GET", "/api/v1/search"): api(SESSION_USERS),
}

MATRIX_FILE = b"Matrix working paper: fibre-optic infrastructure.\n"


def extend_world(world: dict) -> None:
    """Add the documents objects the rows need; put URL parameters in world["params"].

    world["document"]: a working paper of world["group"], visible to the group
    (not to its observers), uploaded by the delegate, with one version.
    """
    from konsey import audit
    from konsey.documents import services

    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(MATRIX_FILE), "matrix-paper.txt")],
        title="Matrix paper",
        kind="working_paper",
        language="en",
        visibility="group",
    )
    world["document"] = document
    world["params"].update(document_id=document.id, version_number=1)
