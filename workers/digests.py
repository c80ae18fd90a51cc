"""Digest runs (daily and weekly, at 08:00 local) and "immediately" notices."""

from __future__ import annotations

from celery import shared_task

from konsey.mail.dispatch import dispatch_outbox
from konsey.models.base import utcnow
from konsey.notifications import digests
from konsey.notifications import immediate as immediate_notices


@shared_task(name="workers.digests.run")
def run() -> int:
    """Idempotent and resumable: each batch commits; done periods are skipped."""
    queued = digests.run(utcnow())
    if queued:
        dispatch_outbox()
    return queued


@shared_task(name="workers.digests.immediate")
def immediate() -> int:
    queued = immediate_notices.run(utcnow())
    if queued:
        dispatch_outbox()
    return queued
