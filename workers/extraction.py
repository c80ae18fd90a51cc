"""Text extraction for search: one version at a time, each in a limited child process."""

from __future__ import annotations

from celery import shared_task

from konsey.documents.extraction import extract_pending as _extract_pending


@shared_task(name="workers.extraction.extract_pending")
def extract_pending() -> int:
    """Extract every pending version (woken by an upload, and swept every minute).

    Idempotent: each version is claimed atomically before its child runs, so
    two workers (or a redelivered task) never extract it twice.
    """
    return _extract_pending()
