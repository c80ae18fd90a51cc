"""API v1: a document's distribution, embargo and derestriction date.

Instants are ISO 8601 with an offset (the project's one rule for instants a
person gives), stored in UTC; the web form takes them in the user's zone.
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import EXCLUDE

from konsey.api.distribution_fields import DistributionFieldsSchema
from konsey.api.documents import DocumentSchema, _document, _errors, _guard, blp, document_json
from konsey.api.errors import service_errors
from konsey.documents import embargo, queries
from konsey.policy import Action
from konsey.web import current_actor


class DocumentDistributionSchema(DistributionFieldsSchema):
    class Meta:
        unknown = EXCLUDE


@blp.route("/documents/<int:document_id>/distribution")
class DocumentDistribution(MethodView):
    @_guard(Action.DOCUMENT_DISTRIBUTION, _document)
    @blp.arguments(DocumentDistributionSchema)
    @blp.response(200, DocumentSchema)
    @_errors(401, 403, 404, 422)
    def patch(self, data: dict, document_id: int):
        """Change the distribution, embargo or derestriction date (the group's
        coordinators and admins); the fields left out keep their values.
        Refused with 422 and nothing changed: an embargo in the past or before
        its meeting was created, a derestriction before the embargo or on a
        document that is not restricted."""
        from flask_login import current_user

        with service_errors():
            embargo.update(current_actor(), g.api_object, data, zone_name=current_user.timezone)
        return document_json(queries.get_document(None, document_id))
