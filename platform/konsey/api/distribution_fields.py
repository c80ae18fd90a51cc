"""The API's distribution, embargo and derestriction fields (upload and change
bodies, and the document's answer)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from konsey.api.schemas import person_instant
from konsey.documents import embargo
from konsey.models import Distribution

DISTRIBUTIONS = [d.value for d in Distribution]


class DistributionFieldsSchema(Schema):
    distribution = fields.String(
        validate=validate.OneOf(DISTRIBUTIONS),
        metadata={"description": "marking shown on the page and in the file's name"},
    )
    embargo_until = fields.AwareDateTime(
        allow_none=True,
        validate=person_instant,
        metadata={
            "description": "ISO 8601 with an offset; until then only the group's "
            "coordinators and the uploading delegation see it (null lifts it)"
        },
    )
    derestrict_at = fields.AwareDateTime(
        allow_none=True,
        validate=person_instant,
        metadata={
            "description": "ISO 8601 with an offset, after the embargo; a restricted "
            "document becomes general then"
        },
    )


def embargo_json(document) -> dict:
    """The document's answer: its marking now and its dates (UTC)."""
    return {
        "distribution": embargo.distribution_at(document).value,
        "embargo_until": document.embargo_until,
        "released_at": document.released_at,
        "derestrict_at": document.derestrict_at,
    }
