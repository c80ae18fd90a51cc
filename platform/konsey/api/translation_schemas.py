"""The document's language versions in the API (``original_language``,
``translations``), shared by every answer that carries a document."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from konsey.documents import translations
from konsey.models import TranslationStatus

STATUSES = [s.value for s in TranslationStatus]


class TranslationSchema(Schema):
    language = fields.String(metadata={"description": "an official language, ISO 639-1"})
    status = fields.String(
        allow_none=True,
        metadata={
            "enum": STATUSES,
            "description": "null: not available and nothing planned; available and "
            "original follow from the uploaded files",
        },
    )
    due_on = fields.Date(
        allow_none=True, metadata={"description": "when requested (or in translation)"}
    )
    official = fields.Boolean(metadata={"description": "false for a file in another language"})
    version = fields.Integer(
        allow_none=True, metadata={"description": "the newest version in this language"}
    )
    url = fields.String(
        allow_none=True, metadata={"description": "the newest file in this language, if any"}
    )


class TranslationUpdateSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # e.g. csrf_token from a browser session

    status = fields.String(
        required=True,
        metadata={"enum": [s.value for s in translations.SETTABLE]},
    )
    due_on = fields.String(
        allow_none=True,
        metadata={
            "format": "date",
            "description": "YYYY-MM-DD; required for requested, today or later (the "
            "caller's time zone); none for not_planned",
        },
    )


def translations_json(document, reader_language: str | None) -> dict:
    """The ``original_language`` and ``translations`` fields of a document."""
    return {
        "original_language": translations.original_language(document),
        "translations": [
            {
                "language": s.language,
                "status": s.status.value if s.status else None,
                "due_on": s.due_on,
                "official": s.official,
                "version": s.version.number if s.version else None,
                "url": (
                    f"/api/v1/documents/{document.id}/versions/{s.version.number}/file"
                    if s.version
                    else None
                ),
            }
            for s in translations.states(document, reader_language)
        ],
    }
