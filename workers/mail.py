"""Outbox delivery over SMTP (or to the mail folder), with retries and backoff."""

from __future__ import annotations

from celery import shared_task

from konsey.extensions import db
from konsey.mail.delivery import Outcome, attempt, lock_queued, retry_delay

BATCH = 200


@shared_task(name="workers.mail.deliver_outbox")
def deliver_outbox() -> int:
    """Deliver every message not yet tried; failures go on with backoff.

    Idempotent: each message is locked and re-checked before it is sent, so
    two sweeps (or a redelivered task) never send a message twice.
    """
    sent = 0
    for _ in range(BATCH):
        row = lock_queued(fresh_only=True)
        if row is None:
            break
        outcome = attempt(row)
        message_id, attempts = row.id, row.attempts
        db.session.commit()
        sent += outcome == Outcome.SENT
        if outcome == Outcome.RETRY:
            deliver_message.apply_async((message_id,), countdown=retry_delay(attempts))
    return sent


@shared_task(name="workers.mail.deliver_message")
def deliver_message(message_id: int) -> str:
    """One more attempt at one message (a retry after a failure)."""
    row = lock_queued(message_id)
    if row is None:
        db.session.rollback()
        return Outcome.SKIPPED.value
    outcome = attempt(row)
    attempts = row.attempts
    db.session.commit()
    if outcome == Outcome.RETRY:
        deliver_message.apply_async((message_id,), countdown=retry_delay(attempts))
    return outcome.value
