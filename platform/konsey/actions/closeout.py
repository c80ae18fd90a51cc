"""Progress and close-out of an action item: updates, reports with evidence,
acknowledgement and sending back, all by the table in konsey.actions.workflow.

The item's row is locked before its status is read (on PostgreSQL), so two
requests that race on the same item are served one after the other: the
second sees what the first did and gets a 409 if its move no longer applies.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from konsey import audit, policy
from konsey.actions import workflow
from konsey.actions.workflow import COORDINATOR, Decided, NotYours, label
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import ActionItem, ActionStatus, ActionUpdate
from konsey.policy import Action
from konsey.validation import check_line, check_text

COMMENT_MAX = 10_000
REFERENCE_MAX = 300


def check_status(value) -> ActionStatus:
    try:
        return ActionStatus(value)
    except ValueError as exc:
        raise ValidationError(
            _("Unknown status; use open, in_progress, reported, done or cancelled."), "status"
        ) from exc


def lock(item: ActionItem) -> None:
    """Serialise changes to one item (row lock on PostgreSQL) and reload it
    (the lock is taken by a bare query: FOR UPDATE refuses the item's
    eager-loaded outer joins)."""
    db.session.execute(select(ActionItem.id).where(ActionItem.id == item.id).with_for_update())
    db.session.refresh(item)


def _side(actor: audit.Actor, item: ActionItem) -> workflow.Side:
    side = workflow.side_of(actor.user, item)
    if side is None:  # the routes check first; a service never trusts that
        raise NotYours(_("You may not change this action."))
    return side


def _expect(item: ActionItem, seen: ActionStatus | None) -> None:
    if seen is not None and item.status != seen:
        raise Conflict(
            _("This action changed meanwhile: it is now %(status)s. Reload the page.",
              status=label(item.status)),
            "status",
        )  # fmt: skip


def _record(actor, item, decided: Decided, now, *, comment, reference, document_id=None):
    update = ActionUpdate(
        action=item,
        user_id=actor.user_id,
        created_at=now,
        old_status=item.status,
        new_status=decided.new,
        comment=comment,
        reference=reference,
        document_id=document_id,
    )
    old = item.status
    item.status = decided.new
    item.updated_at = now
    db.session.add(update)
    db.session.flush()  # the update's id: what a notice about it is keyed by
    audit.record(
        actor,
        "action.update",
        item,
        update=update.id,
        old=old,
        new=decided.new,
        move=decided.move.name if decided.move else None,
        reference=reference or None,
        comment_chars=len(comment),
    )
    return update


def update_action(
    actor: audit.Actor,
    item: ActionItem,
    *,
    now: datetime,
    status: str | None = None,
    comment: str = "",
    reference: str = "",
    document_id: int | None = None,
    seen_status: str | None = None,
) -> ActionUpdate:
    """Record a status change and/or a comment and evidence, by the workflow.

    An owner's "done" is recorded as ``reported`` (``update.new_status``
    says which). ``seen_status``: the status the caller's page showed; if the
    item has moved since, 409.
    """
    requested = check_status(status) if status not in (None, "") else None
    seen = check_status(seen_status) if seen_status else None
    comment = check_text(comment, "comment", required=False, max_length=COMMENT_MAX)
    reference = check_line(reference, "reference", required=False, max_length=REFERENCE_MAX)
    side = _side(actor, item)
    lock(item)
    _expect(item, seen)
    decided = workflow.decide(item.status, requested or item.status, side)
    workflow.check_comment(decided, comment)
    if decided.move is None and not (comment or reference or document_id):
        raise ValidationError(_("Change the status or write a comment."), "comment")
    document_id = _check_document(item, document_id, actor.user)
    update = _record(
        actor, item, decided, now, comment=comment, reference=reference, document_id=document_id
    )
    db.session.commit()
    return update


def report_action(
    actor: audit.Actor,
    item: ActionItem,
    *,
    now: datetime,
    comment: str = "",
    reference: str = "",
    evidence=None,
    visibility=None,
    language=None,
) -> ActionUpdate:
    """The owing delegation reports the item done (``reported``), with a
    comment, a reference and optionally a file that becomes a document of the
    group, linked to the update. A coordinator doing the same closes it at
    once (``done``). A refused file changes nothing, not even the status."""
    from konsey.documents import services as documents

    comment = check_text(comment, "comment", required=False, max_length=COMMENT_MAX)
    reference = check_line(reference, "reference", required=False, max_length=REFERENCE_MAX)
    if not (comment or reference or evidence):
        raise ValidationError(
            _("Give the reference of the note verbale (number and date) or a comment."),
            "reference",
        )
    side = _side(actor, item)
    if evidence is not None:
        if not policy.can(actor.user, Action.DOCUMENT_UPLOAD, item.group):
            raise NotYours(_("You may not upload documents to this group."), "file")
        visibility = documents.check_visibility(visibility)
        language = documents.check_language(language)
    lock(item)
    if item.status == ActionStatus.REPORTED and side != COORDINATOR:
        raise Conflict(
            _("This action is already reported done; the secretariat has yet to acknowledge it."),
            "status",
        )
    decided = workflow.decide(item.status, ActionStatus.DONE, side)
    if decided.move is None:  # a coordinator "reporting" a done item
        raise Conflict(_("This action is already done."), "status")
    update = _record(actor, item, decided, now, comment=comment, reference=reference)
    if evidence is None:
        db.session.commit()
        return update

    def link(docs):
        update.document_id = docs[0].id

    title = _("Evidence: %(title)s", title=item.title)[:300]
    try:
        documents.create_documents(
            actor,
            item.group,
            [evidence],
            title=title,
            description=reference,
            kind="report",
            language=language,
            visibility=visibility,
            before_commit=link,
        )
    except BaseException:
        db.session.rollback()  # the refused file takes the report with it
        raise
    return update


def acknowledge(actor, item, *, now: datetime, comment: str = "") -> ActionUpdate:
    """A coordinator accepts a report: ``reported`` → ``done``."""
    return _settle(actor, item, ActionStatus.DONE, now=now, comment=comment)


def send_back(actor, item, *, now: datetime, comment: str = "") -> ActionUpdate:
    """A coordinator returns a report: ``reported`` → ``in_progress``, with a reason."""
    return _settle(actor, item, ActionStatus.IN_PROGRESS, now=now, comment=comment)


def _settle(actor, item, new: ActionStatus, *, now, comment) -> ActionUpdate:
    comment = check_text(comment, "comment", required=False, max_length=COMMENT_MAX)
    side = _side(actor, item)
    lock(item)
    if item.status != ActionStatus.REPORTED:
        raise Conflict(
            _("This action is %(status)s, not reported done: there is no report to settle.",
              status=label(item.status)),
            "status",
        )  # fmt: skip
    decided = workflow.decide(item.status, new, side)
    workflow.check_comment(decided, comment)
    update = _record(actor, item, decided, now, comment=comment, reference="")
    db.session.commit()
    return update


def _check_document(item: ActionItem, document_id: int | None, user=None) -> int | None:
    """An attached document must be the group's, and one the person may read
    (an embargoed paper is not another delegation's to attach)."""
    if not document_id:
        return None
    from konsey.models import Document
    from konsey.policy import DocumentAudience

    document = db.session.get(Document, document_id)
    if (
        document is None
        or document.group_id != item.group_id
        or document.is_deleted
        or (user is not None and not DocumentAudience.of(user).admits(document))
    ):
        raise ValidationError(_("This document is not one of this group's."), "document")
    return document.id
