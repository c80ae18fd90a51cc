"""API v1: a document's revision, addendum or corrigendum (on the documents blueprint)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields, validate

from konsey.api.documents import (
    ERRORS,
    RELATIONS,
    UPLOAD_ENDPOINTS,
    DocumentSchema,
    _document,
    _errors,
    _FileField,
    _guard,
    _upload,
    blp,
    document_json,
)
from konsey.api.errors import service_errors
from konsey.documents import lineage, queries
from konsey.policy import Action
from konsey.web import current_actor

UPLOAD_ENDPOINTS.add("api_documents.DocumentRelated")


class DocumentRelatedFieldsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    file = _FileField(required=True, metadata={"description": "the file (streamed to disk)"})
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    language = fields.String(required=True, metadata={"description": "ISO 639-1 code"})
    title = fields.String(
        validate=validate.Length(max=300), metadata={"description": "default: the parent's"}
    )
    description = fields.String(validate=validate.Length(max=5000))


@blp.route("/documents/<int:document_id>/related")
class DocumentRelated(MethodView):
    @_guard(Action.DOCUMENT_DERIVE, _document)
    @blp.arguments(DocumentRelatedFieldsSchema, location="multipart")
    @blp.response(201, DocumentSchema)
    @_errors(*ERRORS, 409, 413, 422)
    def post(self, data: dict, document_id: int):
        """Create a revision (…/Rev.N), addendum (…/Add.N) or corrigendum
        (…/Corr.N) of a document that has a symbol, with its own file; it takes
        the parent's kind, readers and agenda item. 409 when the document has
        no symbol (only official kinds of groups with a pattern are numbered)."""
        with service_errors():
            created = lineage.create(
                current_actor(),
                g.api_object,
                _upload(data),
                relation=data["relation"],
                language=data["language"],
                title=data.get("title"),
                description=data.get("description", ""),
            )
        return document_json(queries.get_document(None, created.id))
