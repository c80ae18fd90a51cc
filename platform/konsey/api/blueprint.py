"""The API's blueprint: flask-smorest's, documenting the errors that any
operation can answer, so the OpenAPI document lists every status a client can
get (there is no catch-all "default" response: tests/integration/test_api_fuzz.py
holds each operation to the statuses it lists)."""

from __future__ import annotations

from flask_smorest import Blueprint

from konsey.api.schemas import ApiErrorSchema

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
# Answered before the view runs (konsey.web): a NUL byte anywhere in the
# request or an unreadable body (400), no valid credentials (401)...
EVERY_OPERATION = {
    400: "The request could not be read (e.g. a NUL byte, malformed JSON).",
    401: "No valid API token (or session).",
}
# ...a read-only token or no right to write (403), a write that a unique index
# refuses because another request made it first (409), a body over the size limit (413).
EVERY_WRITE = {
    403: "Not allowed, e.g. with a read-only API token.",
    409: "A conflict, e.g. with a change saved at the same moment.",
    413: "The request body is too large.",
}


def error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ApiErrorSchema}}}


class KonseyBlueprint(Blueprint):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_common_errors_doc)

    @staticmethod
    def _prepare_common_errors_doc(doc, doc_info, *, method, **_kwargs):
        responses = doc.setdefault("responses", {})
        common = dict(EVERY_OPERATION)
        if method in WRITE_METHODS:
            common.update(EVERY_WRITE)
        for status, description in common.items():
            if status not in responses and str(status) not in responses:
                responses[status] = error_response(description)
        return doc
