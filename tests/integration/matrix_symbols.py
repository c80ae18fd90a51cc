"""Authorization-matrix rows for revisions, addenda and corrigenda (merged into MATRIX).

The world's document (matrix_documents) is a working paper of a group without a
symbol pattern: whoever may create a revision is let through and told (409) why
it has none; the others are refused or sent to log in first.
"""

from __future__ import annotations

from tests.integration.matrix_documents import UPLOADERS
from tests.integration.matrix_roles import api, html

_DOC = "/groups/<slug>/documents/<int:document_id>"

ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", _DOC + "/related/new"): html(UPLOADERS),
    ("POST", _DOC + "/related/new"): html(UPLOADERS),
    ("POST", "/api/v1/documents/<int:document_id>/related"): api(UPLOADERS),
}
