"""API v1: GET /api/v1/search, the search page's answer in JSON."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from konsey.api.blueprint import KonseyBlueprint
from konsey.api.documents import document_json
from konsey.api.errors import guard, service_errors
from konsey.api.schemas import ApiErrorSchema
from konsey.documents.queries import with_details
from konsey.extensions import db
from konsey.models import Document
from konsey.policy import Action
from konsey.search import params, query
from konsey.search.index import KINDS
from konsey.search.links import link_of


def _documents(ids: list[int]) -> dict:
    """The documents among the hits, with what their JSON shows, in one query."""
    if not ids:
        return {}
    statement = with_details(select(Document).where(Document.id.in_(ids))).options(
        selectinload(Document.group)
    )
    return {d.id: d for d in db.session.scalars(statement).unique()}


blp = KonseyBlueprint("api_search", __name__, url_prefix="/api/v1", description="Search")


class SearchArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(
        load_default="",
        validate=validate.Length(max=query.MAX_QUERY_CHARS),
        metadata={"description": "words (word forms and prefixes match); any syntax is ignored"},
    )
    kind = fields.String(load_default="", validate=validate.OneOf(["", *KINDS]))
    group = fields.String(load_default="", metadata={"description": "a working group's slug"})
    language = fields.String(load_default="", metadata={"description": "e.g. ru, tr, en"})
    date_from = fields.String(
        data_key="from", load_default="", metadata={"description": "YYYY-MM-DD, inclusive"}
    )
    date_to = fields.String(
        data_key="to", load_default="", metadata={"description": "YYYY-MM-DD, inclusive"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=query.MAX_PAGE))


class SearchGroupSchema(Schema):
    slug = fields.String()
    name = fields.String()


class SearchHitSchema(Schema):
    kind = fields.String(metadata={"description": " | ".join(KINDS)})
    id = fields.Integer(metadata={"description": "the object's id within its kind"})
    group = fields.Nested(SearchGroupSchema)
    language = fields.String()
    date = fields.DateTime(allow_none=True, metadata={"description": "UTC"})
    link = fields.String(metadata={"description": "the object's page"})
    document = fields.Dict(
        allow_none=True,
        metadata={
            "description": "for a document, the document as GET /api/v1/documents/<id> "
            "answers it (as the documents-only search did); null for other kinds"
        },
    )
    symbol = fields.String(
        allow_none=True, metadata={"description": "a document's symbol; null for other kinds"}
    )
    rank = fields.Float(metadata={"description": "larger is better"})
    title_html = fields.String(metadata={"description": "escaped HTML, matches in <mark>"})
    snippet_html = fields.String(metadata={"description": "escaped HTML, matches in <mark>"})


class SearchResultsSchema(Schema):
    terms = fields.List(fields.String(), metadata={"description": "the words searched for"})
    total = fields.Integer(metadata={"description": "results the caller may open"})
    page = fields.Integer()
    has_more = fields.Boolean()
    results = fields.List(fields.Nested(SearchHitSchema))


@blp.route("/search")
class Search(MethodView):
    @guard(Action.SEARCH, lambda **_kw: True)
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultsSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def get(self, args: dict):
        """Search everything the caller may open: documents (title, description,
        symbol, file text), minutes, decisions, agenda items and action items
        (with their updates); best first, 20 a page."""
        with service_errors():
            filters = params.filters_from(
                kind=args["kind"],
                group=args["group"],
                language=args["language"],
                date_from=args["date_from"],
                date_to=args["date_to"],
            )
        results = query.search(current_user, args["q"], filters, page=args["page"])
        documents = _documents([h.object_id for h in results.hits if h.kind == "document"])
        return {
            "terms": results.terms,
            "total": results.total,
            "page": results.page,
            "has_more": results.has_more,
            "results": [
                {
                    "kind": hit.kind,
                    "id": hit.object_id,
                    "group": {"slug": hit.group.slug, "name": hit.group.name},
                    "language": hit.language,
                    "date": hit.date,
                    "link": link_of(hit),
                    "symbol": hit.symbol,
                    "document": (
                        document_json(documents[hit.object_id])
                        if hit.kind == "document" and hit.object_id in documents
                        else None
                    ),
                    "rank": hit.rank,
                    "title_html": str(hit.title),
                    "snippet_html": str(hit.snippet),
                }
                for hit in results.hits
            ],
        }
