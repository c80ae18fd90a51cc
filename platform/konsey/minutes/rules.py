"""Rules every minutes service shares: limits, the text's normal form and
hash, the record lock, what each status allows."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _

from konsey.errors import Conflict
from konsey.extensions import db
from konsey.models import Minutes, MinutesStatus

MAX_TEXT = 100_000  # characters of one version of the minutes
MAX_COMMENT = 10_000
MAX_RESERVATION = 10_000
MAX_DECISION = 5_000
MAX_NOTE = 500


def sha256_of(text: str) -> str:
    """The SHA-256 of a version: of its text as stored, encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    # Browsers send CRLF from a textarea; the stored text (and its hash) uses LF.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def lock(minutes: Minutes) -> None:
    """Serialise changes to one record (row lock on PostgreSQL) and reload it,
    so two requests cannot both add version n+1 or both settle."""
    if minutes.id is not None:
        db.session.refresh(minutes, with_for_update=True)


def status_message(minutes: Minutes) -> str:
    """Why a record in this status cannot be changed (for 409 answers)."""
    if minutes.status == MinutesStatus.SIGNED:
        return _("These minutes are signed; the signed version can never change.")
    if minutes.status == MinutesStatus.AGREED:
        return _(
            "These minutes are agreed by every participating member state; "
            "they can only be signed now."
        )
    if minutes.status == MinutesStatus.DRAFT:
        return _("These minutes are a draft; they must be circulated first.")
    return _("These minutes are circulated and not yet agreed; they cannot be signed yet.")


def require_status(minutes: Minutes, *allowed: MinutesStatus) -> None:
    if minutes.status not in allowed:
        raise Conflict(status_message(minutes))
