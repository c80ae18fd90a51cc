"""API v1: a document's translation status per official language, and a
meeting's documents in one ZIP."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_login import current_user

from konsey.api.blueprint import KonseyBlueprint
from konsey.api.documents import DocumentSchema, document_json
from konsey.api.errors import guard, service_errors
from konsey.api.schemas import ApiErrorSchema
from konsey.api.translation_schemas import TranslationUpdateSchema
from konsey.documents import queries, translations
from konsey.documents.translation_routes import coordinator_today
from konsey.meetings import document_list
from konsey.meetings import queries as meeting_queries
from konsey.meetings.documents_routes import zip_response
from konsey.policy import Action
from konsey.web import current_actor

blp = KonseyBlueprint(
    "api_official", __name__, url_prefix="/api/v1", description="Translations and meeting ZIPs"
)


def _errors(*statuses):
    def decorator(func):
        for status in statuses:
            func = blp.alt_response(status, schema=ApiErrorSchema)(func)
        return func

    return decorator


def _document(document_id: int, **_kw):
    return queries.get_document(None, document_id)


@blp.route("/documents/<int:document_id>/translations/<language>")
class DocumentTranslation(MethodView):
    @guard(Action.TRANSLATION_MANAGE, _document)
    @blp.arguments(TranslationUpdateSchema)
    @blp.response(200, DocumentSchema)
    @_errors(401, 403, 404, 409, 422)
    def put(self, data: dict, document_id: int, language: str):
        """Set the translation status of one official language (coordinators):
        ``requested`` with a ``due_on`` (today or later), ``in_translation``,
        ``not_planned``. A language with a file is ``available`` by itself (409);
        the original language cannot be set (409)."""
        with service_errors():
            translations.set_status(
                current_actor(),
                g.api_object,
                language,
                data["status"],
                data.get("due_on"),
                today=coordinator_today(),
            )
        return document_json(queries.get_document(None, document_id))


def _meeting(meeting_id: int, **_kw):
    return meeting_queries.get_meeting(meeting_id, agenda=True)


ZIP_PARAMETERS = [
    {
        "in": "query",
        "name": "language",
        "schema": {"type": "string"},
        "example": "ru",
        "description": "each document in this language, else in its original language; "
        "default: the caller's own language",
    }
]
ZIP_RESPONSES = {
    "200": {
        "description": "A ZIP of the newest file of each document the caller may read, "
        "with SHA256SUMS (sha256sum format) inside; streamed.",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@blp.route("/meetings/<int:meeting_id>/documents.zip")
@guard(Action.GROUP_VIEW, _meeting)
@blp.doc(parameters=ZIP_PARAMETERS, responses=ZIP_RESPONSES)
@_errors(401, 403, 404, 409)
def meeting_documents_zip(meeting_id: int):
    """Every document of the meeting's agenda the caller may read, in one ZIP
    (404 with the reason when there is none; 400 for an unknown language)."""
    from flask import request

    with service_errors():
        language = document_list.check_language(request.args.get("language"), current_user.locale)
        return zip_response(current_actor(), g.api_object, language)
