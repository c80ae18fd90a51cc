"""Documents on a schedule: embargoes that end and restrictions that lapse."""

from __future__ import annotations

from celery import shared_task

from konsey.documents.embargo import release_due


@shared_task(name="workers.documents.release_embargoes")
def release_embargoes() -> dict[str, int]:
    """Record the release of every document whose embargo has ended, and the
    derestriction of every restricted document whose date has come (every
    minute). Idempotent: a release is recorded once, however often it runs.
    Readers do not wait for it: access follows the embargo's instant itself."""
    return release_due()
