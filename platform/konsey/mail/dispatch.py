"""After a transaction that queued email commits: get it on its way."""

from __future__ import annotations

from flask import current_app

from konsey.background import enqueue

DELIVER_OUTBOX = "workers.mail.deliver_outbox"


def dispatch_outbox() -> None:
    """Deliver now (inline mode) or wake the workers (default).

    If the broker is unreachable nothing is lost: the rows stay queued and
    the periodic sweep delivers them when the workers can run again.
    """
    if current_app.config.get("MAIL_DELIVERY") == "inline":
        from konsey.mail.delivery import deliver_pending

        deliver_pending()
        return
    enqueue(DELIVER_OUTBOX)
