"""Authorization-matrix rows for a document's distribution and embargo (merged into MATRIX)."""

from __future__ import annotations

from tests.integration.matrix_roles import MANAGERS, api, html

ROWS: dict[tuple[str, str], dict[str, str]] = {
    # The group's coordinators (and admins) mark, embargo and derestrict.
    ("POST", "/groups/<slug>/documents/<int:document_id>/distribution"): html(MANAGERS),
    ("PATCH", "/api/v1/documents/<int:document_id>/distribution"): api(MANAGERS),
}
