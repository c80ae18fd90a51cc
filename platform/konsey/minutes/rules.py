"""Rules every minutes service shares: limits, the text's normal form and
hash, the record lock, what each status allows."""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _

from konsey.errors import Conflict
from konsey.extensions import db
from konsey.models import Minutes, MinutesStatus

MAX_TEXT = 100_000  # characters of one version of the minutes
MAX_COMMENT = 10_000
MAX_RESERVATION = 10_000
MAX_DECISION = 5_000
MAX_DECISIONS = 200  # decisions in one version
MAX_NOTE = 500


def sha256_of(text: str) -> str:
    """The SHA-256 of a version: of its text as stored, encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(data) -> str:
    """Canonical JSON: keys sorted, separators "," and ":", no ASCII escaping."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content(text: str, decisions: list[dict]) -> dict:
    """What agreeing and signing cover: a version's text and its decisions,
    each ``{"number": n, "agenda_item": <agenda item number or None>, "text": ...}``."""
    return {
        "text": text,
        "decisions": [
            {"number": d["number"], "agenda_item": d["agenda_item"], "text": d["text"]}
            for d in decisions
        ],
    }


def content_sha256_of(text: str, decisions: list[dict]) -> str:
    return sha256_of(canonical(content(text, decisions)))


def content_sha256(version) -> str:
    """THE content hash of a version (stored as signed_sha256 when signed):
    the SHA-256 of the UTF-8 canonical JSON of {"text": <the version's text>,
    "decisions": [{"number": n, "agenda_item": <agenda item number or null>,
    "text": <text>}, ...]} with its decisions in their order."""
    return content_sha256_of(
        version.text,
        [
            {
                "number": d.position,
                "agenda_item": d.agenda_item.position if d.agenda_item else None,
                "text": d.text,
            }
            for d in version.decisions
        ],
    )


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


def require_meeting_begun(minutes: Minutes, now, *, signing: bool) -> None:
    """Minutes are circulated and signed only once the meeting has begun
    (409 with the reason; the same rule for the web and the API)."""
    starts = minutes.meeting.starts_at
    if starts is not None and starts <= now:
        return
    if starts is None and signing:
        message = _(
            "The meeting has no start date: its minutes cannot be signed before the meeting "
            "has begun."
        )
    elif starts is None:
        message = _(
            "The meeting has no start date: its minutes cannot be circulated before the "
            "meeting has begun."
        )
    elif signing:
        message = _(
            "The meeting has not begun yet (it starts on %(day)s): its minutes cannot be "
            "signed before it has.",
            day=starts.date().isoformat(),
        )
    else:
        message = _(
            "The meeting has not begun yet (it starts on %(day)s): its minutes cannot be "
            "circulated before it has.",
            day=starts.date().isoformat(),
        )
    raise Conflict(message)


def require_status(minutes: Minutes, *allowed: MinutesStatus) -> None:
    if minutes.status not in allowed:
        raise Conflict(status_message(minutes))
