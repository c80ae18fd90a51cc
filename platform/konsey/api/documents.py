"""API v1: documents, versions, files (search: konsey.search.api).

Uploads are ``multipart/form-data`` with one file in ``file``; the file is
streamed to disk, never held in memory. Files are downloaded with range and
conditional requests (the ETag is the SHA-256).
"""

from __future__ import annotations

from flask import abort, g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from konsey import policy
from konsey.api.blueprint import KonseyBlueprint
from konsey.api.distribution_fields import DistributionFieldsSchema, embargo_json
from konsey.api.errors import guard, service_errors
from konsey.api.schemas import ApiErrorSchema
from konsey.api.translation_schemas import TranslationSchema, translations_json
from konsey.documents import download, queries, services
from konsey.documents.routes import upload_request_limit
from konsey.groups.queries import get_group
from konsey.models import DocumentKind, Visibility
from konsey.models.documents import Relation
from konsey.policy import Action, DocumentAudience
from konsey.web import current_actor, json_error


class _FileField(Upload):
    """A file part of the body (a text field of the same name is not a file)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(_("Choose a file to upload."))
        return value


class _MultipartParser(FlaskParser):
    """One location for a multipart/form-data body: its fields and its files."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class _Blueprint(KonseyBlueprint):
    # The OpenAPI document then shows one multipart requestBody with every field.
    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **KonseyBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


blp = _Blueprint("api_documents", __name__, url_prefix="/api/v1", description="Documents")

KINDS = [k.value for k in DocumentKind]
RELATIONS = [r.value for r in Relation]
VISIBILITIES = [v.value for v in Visibility]
UPLOAD_ENDPOINTS = {"api_documents.GroupDocuments", "api_documents.DocumentVersions"}


@blp.url_value_preprocessor
def _raise_upload_limit(endpoint, values):
    # Before any before_request hook reads the body (see documents.routes).
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = upload_request_limit()


@blp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    message = services.too_large_message()
    response, status = json_error(413, "too_large", message, "file")
    return response, status


# Schemas --------------------------------------------------------------------------
class DocumentVersionSchema(Schema):
    number = fields.Integer(metadata={"description": "1, 2, 3… per document, across languages"})
    language = fields.String(metadata={"description": "ISO 639-1 code, e.g. en"})
    filename = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String(metadata={"description": "hex SHA-256 of the file; also its ETag"})
    media_type = fields.String()
    uploaded_by = fields.String(allow_none=True, metadata={"description": "uploader's email"})
    uploaded_at = fields.AwareDateTime()
    url = fields.String(metadata={"description": "where the file is downloaded"})


class DocumentLanguageSchema(Schema):
    language = fields.String()
    version = fields.Integer(metadata={"description": "the newest version in this language"})


class DocumentParentSchema(Schema):
    id = fields.Integer()
    symbol = fields.String(allow_none=True)


class DocumentSchema(Schema):
    id = fields.Integer()
    group = fields.String(metadata={"description": "the group's slug"})
    symbol = fields.String(
        allow_none=True,
        metadata={
            "description": "unique across the council, never reused, e.g. TC/ICT/CS/2026/3 "
            "or TC/ICT/CS/2026/3/Rev.1; null for a document that is not numbered"
        },
    )
    parent = fields.Nested(
        DocumentParentSchema,
        allow_none=True,
        metadata={"description": "what a revision, addendum or corrigendum belongs to"},
    )
    relation = fields.String(allow_none=True, metadata={"enum": RELATIONS})
    relation_number = fields.Integer(allow_none=True, metadata={"description": "the N of Rev.N"})
    title = fields.String()
    description = fields.String()
    kind = fields.String(metadata={"enum": KINDS})
    visibility = fields.String(metadata={"enum": VISIBILITIES})
    agenda_item = fields.Integer(allow_none=True)
    created_by = fields.String(allow_none=True, metadata={"description": "uploader's email"})
    created_at = fields.AwareDateTime()
    languages = fields.List(fields.Nested(DocumentLanguageSchema))
    versions = fields.List(fields.Nested(DocumentVersionSchema))
    original_language = fields.String(allow_none=True, metadata={"description": "ISO 639-1"})
    translations = fields.List(
        fields.Nested(TranslationSchema),
        metadata={"description": "per official language, the caller's own first"},
    )
    distribution = fields.String(
        metadata={"enum": ["general", "limited", "restricted"], "description": "now"}
    )
    embargo_until = fields.AwareDateTime(allow_none=True)
    released_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "when the worker released it"}
    )
    derestrict_at = fields.AwareDateTime(allow_none=True)


class DocumentUploadFieldsSchema(DistributionFieldsSchema):
    class Meta:
        unknown = EXCLUDE  # e.g. csrf_token from a browser session

    file = _FileField(required=True, metadata={"description": "the file (streamed to disk)"})
    title = fields.String(
        validate=validate.Length(max=300),
        metadata={"description": "default: the file's name"},
    )
    description = fields.String(validate=validate.Length(max=5000))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    language = fields.String(required=True, metadata={"description": "ISO 639-1 code"})
    visibility = fields.String(required=True, validate=validate.OneOf(VISIBILITIES))
    agenda_item = fields.Integer(
        allow_none=True, metadata={"description": "id of an agenda item of the group's meetings"}
    )


class DocumentVersionFieldsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    file = _FileField(required=True, metadata={"description": "the file (streamed to disk)"})
    language = fields.String(required=True, metadata={"description": "ISO 639-1 code"})


# Answers --------------------------------------------------------------------------
def _file_url(document, version) -> str:
    return f"/api/v1/documents/{document.id}/versions/{version.number}/file"


def document_json(document) -> dict:
    # null for a reader who may not open the meeting the item belongs to
    item = policy.linked_agenda_item(current_user, document)
    return {
        "id": document.id,
        "group": document.group.slug,
        **related_json(document),
        "title": document.title,
        "description": document.description,
        "kind": document.kind.value,
        "visibility": document.visibility.value,
        "agenda_item": item.id if item else None,
        "created_by": document.created_by.email if document.created_by else None,
        "created_at": document.created_at,
        "languages": [
            {"language": code, "version": v.number}
            for code, v in sorted(document.latest_by_language().items())
        ],
        **embargo_json(document),
        "versions": [
            {
                "number": v.number,
                "language": v.language,
                "filename": v.filename,
                "size": v.size,
                "sha256": v.sha256,
                "media_type": v.media_type,
                "uploaded_by": v.uploaded_by.email if v.uploaded_by else None,
                "uploaded_at": v.uploaded_at,
                "url": _file_url(document, v),
            }
            for v in document.versions
        ],
        **translations_json(document, current_user.locale),
    }


def related_json(document) -> dict:
    """The symbol and lineage fields (konsey.documents.symbols)."""
    # A related document's symbol is its parent's with /Rev.N, /Add.N or /Corr.N.
    parent = document.parent_id is not None and document.relation is not None
    return {
        "symbol": document.symbol,
        "parent": {"id": document.parent_id, "symbol": (document.symbol or "").rsplit("/", 1)[0]}
        if parent
        else None,
        "relation": document.relation.value if document.relation else None,
        "relation_number": document.relation_number,
    }


_guard = guard


def _group(slug: str, **_kw):
    return get_group(slug)


def _document(document_id: int, **_kw):
    return queries.get_document(None, document_id)


def _upload(data: dict) -> services.Upload:
    storage = data["file"]
    return services.Upload(stream=storage.stream, filename=storage.filename)


ERRORS = (401, 403, 404)


def _errors(*statuses):
    def decorator(func):
        for status in statuses:
            func = blp.alt_response(status, schema=ApiErrorSchema)(func)
        return func

    return decorator


@blp.route("/groups/<slug>/documents")
class GroupDocuments(MethodView):
    @_guard(Action.GROUP_VIEW, _group)
    @blp.response(200, DocumentSchema(many=True))
    @_errors(*ERRORS)
    def get(self, slug: str):
        """The group's documents that the caller may read, newest first."""
        documents = queries.library(
            g.api_object, DocumentAudience.of(current_user), queries.LibraryFilter()
        )
        return [document_json(d) for d in documents]

    @_guard(Action.DOCUMENT_UPLOAD, _group)
    @blp.arguments(DocumentUploadFieldsSchema, location="multipart")
    @blp.response(201, DocumentSchema)
    @_errors(*ERRORS, 409, 413, 422)
    def post(self, data: dict, slug: str):
        """Upload a document (coordinators and delegations; observers never write).

        The kind of file is recognised by its content: PDF, DOCX/XLSX/PPTX,
        ODT/ODS/ODP, legacy Office, PNG, JPEG, plain text and CSV. HTML and SVG
        are refused. Too large: 413."""
        with service_errors():
            [document] = services.create_documents(
                current_actor(),
                g.api_object,
                [_upload(data)],
                title=data.get("title"),
                description=data.get("description", ""),
                kind=data["kind"],
                language=data["language"],
                visibility=data["visibility"],
                agenda_item=data.get("agenda_item"),
                distribution=data.get("distribution"),
                embargo_until=data.get("embargo_until"),
                derestrict_at=data.get("derestrict_at"),
                zone_name=current_user.timezone,
            )
        return document_json(queries.get_document(None, document.id))


@blp.route("/documents/<int:document_id>")
class DocumentResource(MethodView):
    @_guard(Action.DOCUMENT_VIEW, _document)
    @blp.response(200, DocumentSchema)
    @_errors(*ERRORS)
    def get(self, document_id: int):
        """A document: its metadata, its languages and every version."""
        return document_json(g.api_object)


@blp.route("/documents/<int:document_id>/versions")
class DocumentVersions(MethodView):
    @_guard(Action.DOCUMENT_VIEW, _document)
    @blp.response(200, DocumentVersionSchema(many=True))
    @_errors(*ERRORS)
    def get(self, document_id: int):
        """Every version of the document, oldest first."""
        return document_json(g.api_object)["versions"]

    @_guard(Action.DOCUMENT_VERSION, _document)
    @blp.arguments(DocumentVersionFieldsSchema, location="multipart")
    @blp.response(201, DocumentSchema)
    @_errors(*ERRORS, 409, 413, 422)
    def post(self, data: dict, document_id: int):
        """Upload a new version, or the document in another language."""
        with service_errors():
            services.add_version(
                current_actor(), g.api_object, _upload(data), language=data["language"]
            )
        return document_json(queries.get_document(None, document_id))


_FILE = {"schema": {"type": "string", "format": "binary"}}
# Declared so that clients (and the fuzzer) know the download speaks HTTP ranges
# and conditional requests.
FILE_REQUEST_HEADERS = [
    {"in": "header", "name": "Range", "schema": {"type": "string"}, "example": "bytes=0-1023"},
    {
        "in": "header",
        "name": "If-None-Match",
        "schema": {"type": "string"},
        "description": "the SHA-256 in quotes (the ETag): 304 if unchanged",
    },
    {
        "in": "header",
        "name": "If-Match",
        "schema": {"type": "string"},
        "description": "the ETag the caller expects: 412 if it is another file",
    },
    {
        "in": "header",
        "name": "If-Range",
        "schema": {"type": "string"},
        "description": "the ETag (or Last-Modified) of the caller's partial copy: "
        "the Range applies only if it still holds, else the whole file is sent",
    },
]
FILE_RESPONSES = {
    "200": {
        "description": "The file, as an attachment, with its stored media type.",
        "content": {"*/*": _FILE},
    },
    "206": {"description": "The requested byte range.", "content": {"*/*": _FILE}},
    "304": {"description": "Unchanged: the If-None-Match ETag is the SHA-256."},
}
# Preconditions are evaluated before Range (RFC 9110 §13.2.2); a 416 names the
# file's size in Content-Range ("bytes */<size>").


@blp.route("/documents/<int:document_id>/versions/<int:version_number>/file")
class VersionFile(MethodView):
    @_guard(Action.DOCUMENT_VIEW, _document)
    @blp.doc(parameters=FILE_REQUEST_HEADERS, responses=FILE_RESPONSES)
    @_errors(*ERRORS, 409, 412, 416)
    def get(self, document_id: int, version_number: int):
        """Download a version's file (verified against its SHA-256 first: 409 if damaged)."""
        version = queries.get_version(g.api_object, version_number)
        if version is None:
            abort(404, description=_("This document has no version %(n)d.", n=version_number))
        with service_errors():
            return download.file_response(current_actor(), version)


# Revisions, addenda, corrigenda; distribution and embargo: their routes are on this blueprint.
from konsey.api import document_distribution, lineage  # noqa: E402, F401
