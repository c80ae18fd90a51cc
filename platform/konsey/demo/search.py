"""Demo texts in Russian for search: the Cyber Security group's 2018 meeting
with circulated minutes and an agenda item, a national strategy (DOCX, in
Russian) and an action item with an update, all about «кибербезопасность» in
its word forms, so that a search for one form finds the others across
minutes, documents and actions. Idempotent by title."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import select

from konsey import audit
from konsey.actions import services as action_services
from konsey.demo.documents_actions import DEMO_ACTOR, _has_document
from konsey.demo.meetings import _at, _meeting, _minutes
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.models import ActionItem, AgendaItem, MemberState, User, WorkingGroup

MEETING = "Рабочая встреча по кибербезопасности"
DOCUMENT = "Национальная стратегия кибербезопасности Казахстана"
ACTION = "Казахстан: обзор национальных мер кибербезопасности"
MINUTES = (
    "# Рабочая встреча по кибербезопасности: протокол\n\n"
    "Баку, 14 мая 2018 года. Делегации обменялись опытом в области "
    "кибербезопасности и обсудили сотрудничество национальных групп реагирования "
    "на компьютерные инциденты.\n\n"
    "Toplantısında heyetler siber güvenlik alanındaki deneyimlerini paylaştı.\n"
)


def load_search(created: Counter, now: datetime) -> None:
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "cyber-security"))
    if group is None:
        return
    meeting, new = _meeting(
        created,
        group,
        MEETING,
        number="Баку 2018",
        starts_at=_at(date(2018, 5, 14), 10, "Asia/Baku"),
        ends_at=_at(date(2018, 5, 14), 17, "Asia/Baku"),
        timezone="Asia/Baku",
        venue_city="Baku",
        status="held",
    )
    if new:
        db.session.add(
            AgendaItem(
                meeting=meeting,
                position=1,
                title="Обмен опытом в области кибербезопасности",
                description="Национальные стратегии и группы реагирования.",
            )
        )
        db.session.commit()
        _minutes(
            meeting,
            MINUTES,
            written=_at(date(2018, 5, 14), 18, "Asia/Baku"),
            deadline=_at(date(2018, 5, 28), 18, "Asia/Baku"),
            positions={},
            signer=None,
        )
    if not _has_document(group, DOCUMENT):
        document_services.create_documents(
            DEMO_ACTOR,
            group,
            [
                Upload(
                    io.BytesIO(
                        samples.make_docx(
                            [DOCUMENT, "Основные направления обеспечения кибербезопасности."]
                        )
                    ),
                    "strategy-ru.docx",
                )
            ],
            title=DOCUMENT,
            kind="report",
            language="ru",
            visibility="council",
        )
        created["documents"] += 1
    exists = db.session.scalar(
        select(ActionItem.id).where(ActionItem.group_id == group.id, ActionItem.title == ACTION)
    )
    if exists is None:
        kz = db.session.scalar(select(MemberState).where(MemberState.code == "KZ"))
        coordinator = db.session.scalar(
            select(User).where(User.email == "coordinator@secretariat.example.org")
        )
        actor = audit.Actor(coordinator, "cli")
        item = action_services.create_action(
            actor,
            group,
            title=ACTION,
            description="Подготовить обзор мер по обеспечению кибербезопасности.",
            owner_state=kz,
            due_date=now.date() + timedelta(days=21),
            now=now,
            meeting_id=meeting.id,
        )
        action_services.update_action(
            actor, item, now=now, status="in_progress", comment="Обзор кибербезопасности начат."
        )
        created["action items"] += 1
    db.session.commit()
