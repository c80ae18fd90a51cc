"""Demo translation statuses: in each group, the working paper (English, with
its Russian version available) has Turkish requested by a due date three weeks
ahead; the report (English) is in translation into Russian and not planned in
Turkish. Idempotent: a language that already has a status or a file is left."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from konsey import audit
from konsey.documents import translations
from konsey.extensions import db
from konsey.models import Document, WorkingGroup
from konsey.models.base import utcnow

DEMO_ACTOR = audit.Actor(user=None, ip="cli")
DUE_IN_DAYS = 21


def _plan(group: WorkingGroup) -> list[tuple[str, str, str]]:
    return [
        (f"{group.name}: working paper", "tr", translations.REQUESTED),
        (f"{group.name}: national experience (report)", "ru", translations.IN_TRANSLATION),
        (f"{group.name}: national experience (report)", "tr", translations.NOT_PLANNED),
    ]


def load_translations(created: Counter) -> None:
    official = translations.official_languages()
    today = utcnow().date()
    for group in db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.id)):
        for title, language, status in _plan(group):
            document = db.session.scalar(
                select(Document).where(Document.group_id == group.id, Document.title == title)
            )
            if document is None or language not in official:
                continue
            if document.original_language is None and document.versions:
                document.original_language = document.versions[0].language
            state = {s.language: s for s in translations.states(document)}[language]
            if state.status is not None:  # already said, or a file is there
                continue
            due = today + timedelta(days=DUE_IN_DAYS) if status == translations.REQUESTED else None
            translations.set_status(DEMO_ACTOR, document, language, status, due, today=today)
            created["translations"] += 1
