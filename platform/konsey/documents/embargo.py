"""Distribution and embargo: the marking of a document, its release date and
its derestriction date.

- ``distribution``: general / limited / restricted, a marking shown on the
  page, in lists and in the downloaded file's name; a restricted document
  with ``derestrict_at`` reads as general from that instant (the worker then
  records it: ``derestricted_at``).
- ``embargo_until``: until then only the group's coordinators and the
  uploading delegation read it (the rule is ``policy.DocumentAudience``); the
  worker records the release (``released_at``, the ``document.release``
  event that digests report as a new document).

No Flask request objects here: callers pass plain values (UTC instants).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from konsey import audit, timefmt
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import AgendaItem, Distribution, Document, Membership
from konsey.models.base import utcnow

EDIT_FIELDS = ("distribution", "embargo_until", "derestrict_at")


@dataclass(frozen=True)
class Marking:
    distribution: Distribution = Distribution.GENERAL
    embargo_until: datetime | None = None
    derestrict_at: datetime | None = None


def check_distribution(value) -> Distribution:
    if value in (None, ""):
        return Distribution.GENERAL
    try:
        return Distribution(value)
    except ValueError as exc:
        raise ValidationError(
            _("Choose a distribution: general, limited or restricted."), "distribution"
        ) from exc


def _shown(instant: datetime, zone_name: str | None) -> str:
    return timefmt.show(instant, zone_name or "UTC")


def check_marking(
    distribution,
    embargo_until: datetime | None,
    derestrict_at: datetime | None,
    *,
    agenda_item: AgendaItem | None,
    zone_name: str | None,
    now: datetime | None = None,
    embargo_unchanged: bool = False,
) -> Marking:
    """The three values checked together (UTC instants, or None). An embargo
    that is already set and not changed is not checked again (it may have
    passed since)."""
    now = now or utcnow()
    distribution = check_distribution(distribution)
    if embargo_until is not None and not embargo_unchanged:
        if embargo_until <= now:
            raise ValidationError(
                _(
                    "The embargo must end in the future: %(when)s has already passed.",
                    when=_shown(embargo_until, zone_name),
                ),
                "embargo_until",
            )
        meeting = agenda_item.meeting if agenda_item is not None else None
        if meeting is not None and embargo_until < meeting.created_at:
            raise ValidationError(
                _(
                    "The embargo cannot end before its meeting was created (%(when)s).",
                    when=_shown(meeting.created_at, zone_name),
                ),
                "embargo_until",
            )
    if derestrict_at is not None:
        if distribution != Distribution.RESTRICTED:
            raise ValidationError(
                _("Only a restricted document can have a derestriction date."),
                "derestrict_at",
            )
        if embargo_until is not None and derestrict_at <= embargo_until:
            raise ValidationError(
                _(
                    "The derestriction must come after the embargo ends (%(when)s).",
                    when=_shown(embargo_until, zone_name),
                ),
                "derestrict_at",
            )
        if derestrict_at <= now:
            raise ValidationError(
                _(
                    "The derestriction date must be in the future: %(when)s has already passed.",
                    when=_shown(derestrict_at, zone_name),
                ),
                "derestrict_at",
            )
    return Marking(distribution, embargo_until, derestrict_at)


def uploading_state_id(user, group_id: int) -> int | None:
    """The uploader's delegation in the group: their membership's member state."""
    if user is None:
        return None
    return db.session.scalar(
        select(Membership.member_state_id).where(
            Membership.group_id == group_id, Membership.user_id == user.id
        )
    )


def apply_on_upload(document: Document, marking: Marking, origin_state_id: int | None) -> None:
    document.distribution = marking.distribution
    document.embargo_until = marking.embargo_until
    document.derestrict_at = marking.derestrict_at
    document.origin_state_id = origin_state_id


def update(
    actor: audit.Actor,
    document: Document,
    values: dict,
    *,
    zone_name: str | None,
    now: datetime | None = None,
) -> Document:
    """A coordinator's change of the marking, embargo or derestriction date.

    ``values`` holds any of EDIT_FIELDS (instants in UTC or None). All are
    checked before anything is written; nothing changes on an error. Lifting
    an embargo (``embargo_until`` None) releases the document at once."""
    now = now or utcnow()
    values = _same_minute_unchanged(values, document)
    distribution = values.get("distribution", document.distribution)
    embargo_until = values.get("embargo_until", document.embargo_until)
    derestrict_at = values.get("derestrict_at", document.derestrict_at)
    if document.derestricted_at is not None and "derestrict_at" not in values:
        derestrict_at = None  # already derestricted: the date is history, not a rule
    if "derestrict_at" not in values and check_distribution(distribution) != (
        Distribution.RESTRICTED
    ):
        derestrict_at = None  # no longer restricted: nothing to derestrict
    marking = check_marking(
        distribution,
        embargo_until,
        derestrict_at,
        agenda_item=document.agenda_item,
        zone_name=zone_name,
        now=now,
        embargo_unchanged=embargo_until == document.embargo_until,
    )
    before = {f: _jsonable(getattr(document, f)) for f in EDIT_FIELDS}
    old_derestrict_at = document.derestrict_at
    lifted = (
        "embargo_until" in values
        and marking.embargo_until is None
        and document.embargo_until is not None
        and document.embargo_until > now
    )
    document.distribution = marking.distribution
    document.derestrict_at = marking.derestrict_at
    if marking.derestrict_at is not None and marking.derestrict_at != old_derestrict_at:
        document.derestricted_at = None
    if lifted:
        # Released now: the embargo ends at this instant, the event says so.
        document.embargo_until = now
        document.released_at = now
    else:
        if marking.embargo_until != document.embargo_until:
            document.released_at = None
        document.embargo_until = marking.embargo_until
    after = {f: _jsonable(getattr(document, f)) for f in EDIT_FIELDS}
    changed = {f: [before[f], after[f]] for f in EDIT_FIELDS if before[f] != after[f]}
    if changed:
        document.updated_at = now
        audit.record(actor, "document.distribution", document, **changed)
        if lifted:
            _record_release(document, now, actor)
    db.session.commit()
    return document


def _same_minute_unchanged(values: dict, document: Document) -> dict:
    """A form shows instants to the minute: the same minute sent back is the
    stored instant unchanged."""
    values = dict(values)
    for name in ("embargo_until", "derestrict_at"):
        given, stored = values.get(name), getattr(document, name)
        if (
            given is not None
            and stored is not None
            and given.replace(second=0, microsecond=0) == stored.replace(second=0, microsecond=0)
        ):
            values[name] = stored
    return values


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, Distribution) else value


def _record_release(document: Document, now: datetime, actor: audit.Actor = audit.SYSTEM):
    audit.record(
        actor,
        "document.release",
        document,
        group_id=document.group_id,
        embargo_until=document.embargo_until,
        title=document.title,
    )


# Marking as shown -----------------------------------------------------------------
def distribution_at(document: Document, now: datetime | None = None) -> Distribution:
    """The marking at ``now``: a restricted document past its derestriction
    date reads as general, whether the worker has recorded it yet or not."""
    if (
        document.distribution == Distribution.RESTRICTED
        and document.derestrict_at is not None
        and document.derestrict_at <= (now or utcnow())
    ):
        return Distribution.GENERAL
    return document.distribution


def marked_filename(document: Document, filename: str, now: datetime | None = None) -> str:
    """The downloaded file's name: ``report.RESTRICTED.pdf``, ``notes.LIMITED.docx``;
    a general document keeps its own name."""
    distribution = distribution_at(document, now)
    if distribution == Distribution.GENERAL:
        return filename
    mark = distribution.value.upper()
    stem, dot, extension = filename.rpartition(".")
    if not dot or not stem:
        return f"{filename}.{mark}"
    return f"{stem}.{mark}.{extension}"


# Lists of what is new -------------------------------------------------------------
def released_since(since: datetime, now: datetime):
    """SQL: (document id, instant) of the embargoes that ended in (since, now],
    for lists of what is new (a release is new to its audience)."""
    return select(Document.id.label("document_id"), Document.embargo_until.label("at")).where(
        Document.embargo_until > since, Document.embargo_until <= now
    )


def released_between(document: Document, since: datetime, now: datetime) -> bool:
    return document.embargo_until is not None and since < document.embargo_until <= now


# The worker ----------------------------------------------------------------------
def release_due(now: datetime | None = None) -> dict[str, int]:
    """Record every release and derestriction that is due; idempotent (a row
    already recorded is not selected again, and rows are locked while this
    runs, so two workers never record one twice)."""
    now = now or utcnow()
    released = db.session.scalars(
        select(Document)
        .where(
            Document.embargo_until.is_not(None),
            Document.embargo_until <= now,
            Document.released_at.is_(None),
            Document.deleted_at.is_(None),
        )
        .order_by(Document.id)
        .with_for_update(skip_locked=True)
    ).all()
    for document in released:
        document.released_at = now
        _record_release(document, now)
    derestricted = db.session.scalars(
        select(Document)
        .where(
            Document.derestrict_at.is_not(None),
            Document.derestrict_at <= now,
            Document.derestricted_at.is_(None),
            Document.distribution == Distribution.RESTRICTED,
            Document.deleted_at.is_(None),
        )
        .order_by(Document.id)
        .with_for_update(skip_locked=True)
    ).all()
    for document in derestricted:
        document.distribution = Distribution.GENERAL
        document.derestricted_at = now
        audit.record(
            audit.SYSTEM,
            "document.derestrict",
            document,
            group_id=document.group_id,
            derestrict_at=document.derestrict_at,
        )
    db.session.commit()
    return {"released": len(released), "derestricted": len(derestricted)}
