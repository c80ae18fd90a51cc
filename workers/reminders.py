"""Reminder scans (meetings, minutes deadlines, action items)."""

from __future__ import annotations

from celery import shared_task

from konsey.mail.dispatch import dispatch_outbox
from konsey.models.base import utcnow
from konsey.notifications import reminders


@shared_task(name="workers.reminders.scan")
def scan() -> int:
    """Idempotent: reminders already in the outbox are skipped by their dedupe key."""
    queued = reminders.scan(utcnow())
    if queued:
        dispatch_outbox()
    return queued
