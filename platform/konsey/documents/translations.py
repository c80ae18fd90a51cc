"""Language versions of a document and their translation status.

For each document and each official language (``KONSEY_OFFICIAL_LANGUAGES``)
one status:

- ``original``: the document's original language (``Document.original_language``,
  the first file's language);
- ``available``: a file in that language was uploaded — it follows from the
  versions and always wins over what a coordinator said;
- ``requested`` (with a due date), ``in_translation``, ``not_planned``: what a
  coordinator said (a ``DocumentTranslation`` row);
- none of these (``status`` None): not available, nothing planned.

Who may set a status is the policy's ``TRANSLATION_MANAGE`` (coordinators);
this module holds what may be set. No Flask request objects here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from konsey import audit
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import Document, DocumentTranslation, DocumentVersion, TranslationStatus
from konsey.models.base import utcnow
from konsey.validation import check_date

ORIGINAL = TranslationStatus.ORIGINAL
AVAILABLE = TranslationStatus.AVAILABLE
REQUESTED = TranslationStatus.REQUESTED
IN_TRANSLATION = TranslationStatus.IN_TRANSLATION
NOT_PLANNED = TranslationStatus.NOT_PLANNED

# What a coordinator may set. ``original`` and ``available`` follow from the
# files; a language that has a file cannot be set at all.
SETTABLE = (REQUESTED, IN_TRANSLATION, NOT_PLANNED)
# The allowed transitions between the statuses a coordinator sets (None: no word
# yet). Requested again means a new due date; in translation may come back to
# requested (a new due date); anything may become not planned, and a plan may
# be taken up again.
TRANSITIONS: dict[TranslationStatus | None, frozenset[TranslationStatus]] = {
    None: frozenset({REQUESTED, IN_TRANSLATION, NOT_PLANNED}),
    REQUESTED: frozenset({REQUESTED, IN_TRANSLATION, NOT_PLANNED}),
    IN_TRANSLATION: frozenset({IN_TRANSLATION, REQUESTED, NOT_PLANNED}),
    NOT_PLANNED: frozenset({NOT_PLANNED, REQUESTED, IN_TRANSLATION}),
}

STATUS_LABELS = {
    ORIGINAL: _l("Original"),
    AVAILABLE: _l("Available"),
    REQUESTED: _l("Translation requested"),
    IN_TRANSLATION: _l("In translation"),
    NOT_PLANNED: _l("Not planned"),
}
NOT_AVAILABLE_LABEL = _l("Not available")


@dataclass(frozen=True)
class LanguageState:
    """One language of one document, as a reader sees it."""

    language: str
    status: TranslationStatus | None  # None: not available, nothing planned
    due_on: date | None = None
    version: DocumentVersion | None = None  # the newest file, when there is one
    official: bool = True

    @property
    def readable(self) -> bool:
        """Can the reader have it now (a file to download)?"""
        return self.version is not None

    @property
    def label(self) -> str:
        if self.status is None:
            return str(NOT_AVAILABLE_LABEL)
        return str(STATUS_LABELS[self.status])


def official_languages() -> tuple[str, ...]:
    return tuple(current_app.config["OFFICIAL_LANGUAGES"])


def original_language(document: Document) -> str | None:
    """The stored original language, else the first file's (documents from before 0015)."""
    if document.original_language:
        return document.original_language
    return document.versions[0].language if document.versions else None


def states(document: Document, reader_language: str | None = None) -> list[LanguageState]:
    """Every official language of the document, the reader's own first, then
    any other language a file was uploaded in. Reads only what is loaded
    (``document.versions`` and ``document.translations``)."""
    files = document.latest_by_language()
    said = {t.language: t for t in document.translations}
    original = original_language(document)
    official = official_languages()
    order = list(official)
    if reader_language in order:
        order.remove(reader_language)
        order.insert(0, reader_language)
    order += sorted(code for code in files if code not in official)
    result = []
    for code in order:
        version = files.get(code)
        row = said.get(code)
        if code == original:
            status, due_on = ORIGINAL, None
        elif version is not None:
            status, due_on = AVAILABLE, None
        elif row is not None:
            status, due_on = row.status, row.due_on
        else:
            status, due_on = None, None
        result.append(LanguageState(code, status, due_on, version, code in official))
    return result


# Changes ---------------------------------------------------------------------------
def check_status(value) -> TranslationStatus:
    try:
        status = TranslationStatus(value)
    except ValueError:
        raise ValidationError(
            _("Choose a status: requested, in translation or not planned."), "status"
        ) from None
    if status not in SETTABLE:
        raise ValidationError(
            _(
                "“Original” and “available” follow from the uploaded files: upload a file "
                "in this language to make it available."
            ),
            "status",
        )
    return status


def check_official_language(value) -> str:
    code = value.strip().lower() if isinstance(value, str) else ""
    if code not in official_languages():
        raise ValidationError(
            _(
                "%(code)s is not an official language; the official languages are %(languages)s.",
                code=(code or "—")[:8],
                languages=", ".join(official_languages()),
            ),
            "language",
        )
    return code


def check_due_on(status: TranslationStatus, value, today: date) -> date | None:
    """Required for a request, optional while in translation, none when not planned;
    never before ``today`` (the coordinator's today, in their time zone)."""
    if value in (None, ""):
        if status == REQUESTED:
            raise ValidationError(_("Give the date by which the translation is due."), "due_on")
        return None
    if status == NOT_PLANNED:
        raise ValidationError(
            _("A translation that is not planned has no due date: leave the date empty."),
            "due_on",
        )
    due_on = check_date(value, "due_on")
    if due_on < today:
        raise ValidationError(
            _(
                "The due date %(date)s is in the past: a translation can only be due "
                "today or later.",
                date=due_on.isoformat(),
            ),
            "due_on",
        )
    return due_on


def set_status(
    actor: audit.Actor,
    document: Document,
    language,
    status,
    due_on=None,
    *,
    today: date,
) -> DocumentTranslation:
    """Record a coordinator's word on one language (the caller has asked the
    policy). Bad input raises before anything is written."""
    code = check_official_language(language)
    status = check_status(status)
    due = check_due_on(status, due_on, today)
    # One writer at a time per document: the file check and the row agree.
    db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    if code == original_language(document):
        raise Conflict(
            _("%(code)s is this document's original language.", code=code.upper()), "language"
        )
    has_file = db.session.scalar(
        select(DocumentVersion.id).where(
            DocumentVersion.document_id == document.id, DocumentVersion.language == code
        )
    )
    if has_file is not None:
        raise Conflict(
            _(
                "A file in %(code)s is already uploaded: this language is available.",
                code=code.upper(),
            ),
            "language",
        )
    row = db.session.scalar(
        select(DocumentTranslation).where(
            DocumentTranslation.document_id == document.id, DocumentTranslation.language == code
        )
    )
    before = row.status if row is not None else None
    if status not in TRANSITIONS[before]:
        raise Conflict(
            _(
                "A translation that is %(before)s cannot become %(after)s.",
                before=STATUS_LABELS[before],
                after=STATUS_LABELS[status],
            ),
            "status",
        )
    if status == IN_TRANSLATION and due is None and row is not None:
        due = row.due_on  # the requested date stays the expected one
    if row is None:
        row = DocumentTranslation(document_id=document.id, language=code)
        db.session.add(row)
    row.status = status
    row.due_on = due
    row.updated_by_id = actor.user_id
    row.updated_at = utcnow()
    audit.record(
        actor,
        "document.translation",
        document,
        group_id=document.group_id,
        language=code,
        status=status,
        before=before,
        due_on=due.isoformat() if due else None,
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise Conflict(_("Another change was saved at the same moment; try again.")) from exc
    return row
