"""Wake the notice task as soon as a change that needs someone commits.

The periodic run (``workers.digests.immediate``, every 30 s) would find it
anyway; this only makes the email leave within seconds. Nothing is lost if
the broker is down: the audit event stays, and the next run sends it.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from konsey.models import AuditEvent

TASK = "workers.digests.immediate"
_FLAG = "konsey.notice_pending"


def _notice_actions() -> set[str]:
    from konsey.notifications.notices import RULES

    return set(RULES)


def _after_flush(session: Session, _context) -> None:
    actions = _notice_actions()
    if any(isinstance(obj, AuditEvent) and obj.action in actions for obj in session.new):
        session.info[_FLAG] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        from flask import has_app_context

        from konsey.background import enqueue

        if has_app_context():
            enqueue(TASK)


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
