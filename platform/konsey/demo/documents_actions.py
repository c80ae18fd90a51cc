"""Demo documents (small real files, generated) and action items.

Documents: a PDF and a DOCX per group; one paper with EN and RU versions, one
with two versions. Actions: the founding case's action owed by Kazakhstan,
and in each group items open, in progress, overdue, done and cancelled,
owed by each member state and by named delegates. Idempotent by title.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from konsey import audit
from konsey.actions import services as action_services
from konsey.demo.pdffonts import russian_paper
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    Decision,
    Document,
    Membership,
    MemberState,
    Role,
    User,
    WorkingGroup,
)

DEMO_ACTOR = audit.Actor(user=None, ip="cli")
FOUNDING_ACTION = (
    "Inform the Secretariat, through diplomatic channels, of the place and date of the 3rd "
    "Ministerial Meeting"
)


def _upload(data: bytes, name: str) -> Upload:
    return Upload(stream=io.BytesIO(data), filename=name)


def _has_document(group: WorkingGroup, title: str) -> bool:
    return (
        db.session.scalar(
            select(Document.id).where(Document.group_id == group.id, Document.title == title)
        )
        is not None
    )


def _first_item(group: WorkingGroup):
    """The first agenda item of the group's earliest dated meeting (the paper's
    place on a meeting page), if any."""
    from konsey.models import AgendaItem, Meeting

    return db.session.scalar(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.group_id == group.id, Meeting.starts_at.is_not(None))
        .where(AgendaItem.is_review.is_(False))
        .order_by(Meeting.starts_at, AgendaItem.position)
        .limit(1)
    )


def load_documents(created: Counter) -> None:
    for group in db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.id)):
        title = f"{group.name}: working paper"
        if not _has_document(group, title):
            item = _first_item(group)
            [doc] = document_services.create_documents(
                DEMO_ACTOR,
                group,
                [
                    _upload(
                        samples.make_pdf([title, "Proposals for cooperation, 2017."]),
                        "working-paper.pdf",
                    )
                ],
                title=title,
                kind="working_paper",
                language="en",
                visibility="group",
                agenda_item=item.id if item is not None else None,
            )
            created["documents"] += 1
            # The same paper in Russian: a language version of one document.
            document_services.add_version(
                DEMO_ACTOR,
                doc,
                _upload(russian_paper(group), "working-paper-ru.pdf"),
                language="ru",
            )
        title = f"{group.name}: national experience (report)"
        if not _has_document(group, title):
            [doc] = document_services.create_documents(
                DEMO_ACTOR,
                group,
                [_upload(samples.make_docx([title, "First draft."]), "report.docx")],
                title=title,
                kind="report",
                language="en",
                visibility="council",
            )
            created["documents"] += 1
            document_services.add_version(  # a revised second version
                DEMO_ACTOR,
                doc,
                _upload(samples.make_docx([title, "Revised after comments."]), "report-v2.docx"),
                language="en",
            )


def _delegates(group: WorkingGroup) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership).where(
                Membership.group_id == group.id,
                Membership.role.in_([Role.DELEGATE, Role.EXPERT]),
            )
        )
    )


def load_actions(created: Counter, now: datetime) -> None:
    states = {s.code: s for s in db.session.scalars(select(MemberState))}
    groups = {g.slug: g for g in db.session.scalars(select(WorkingGroup))}
    existing = {(a.group_id, a.title) for a in db.session.scalars(select(ActionItem))}
    coordinator = db.session.scalar(
        select(User).where(User.email == "coordinator@secretariat.example.org")
    )
    actor = audit.Actor(coordinator, "cli")

    ministers = groups["ict-ministers"]
    if (ministers.id, FOUNDING_ACTION) not in existing:
        decision = db.session.scalar(select(Decision).order_by(Decision.id).limit(1))
        action_services.create_action(
            actor,
            ministers,
            title=FOUNDING_ACTION,
            owner_state=states["KZ"],
            due_date=now.date() + timedelta(days=20),
            now=now,
            priority="high",
            decision_id=decision.id if decision else None,
            meeting_id=decision.minutes.meeting_id if decision else None,
            description="Agreed at the 2nd Meeting of the Ministers in charge of ICT "
            "(Istanbul, 9 November 2017).",
        )
        created["action items"] += 1

    # (state, days from today, final status)
    spread = [
        ("AZ", 10, "open"),
        ("KZ", 3, "in_progress"),
        ("KG", -1, "open"),
        ("TR", -20, "done"),
        ("AZ", 30, "cancelled"),
    ]
    for _slug, group in sorted(groups.items()):
        for code, days, status in spread:
            title = f"{states[code].name}: contribution to the {group.name} work plan"
            if status == "cancelled":
                title = f"{states[code].name}: survey of national {group.name} legislation"
            if (group.id, title) in existing:
                continue
            item = action_services.create_action(
                actor,
                group,
                title=title,
                owner_state=states[code],
                due_date=now.date() + timedelta(days=days),
                now=now,
                confirm_past_due=True,
            )
            created["action items"] += 1
            if status == "in_progress":
                action_services.update_action(
                    actor, item, now=now, status="in_progress", comment="Work has started."
                )
            elif status == "done":
                action_services.update_action(
                    actor,
                    item,
                    now=now,
                    status="done",
                    comment="Sent.",
                    reference="Note verbale No. 12/345 of 10 November 2017",
                )
            elif status == "cancelled":
                action_services.update_action(
                    actor, item, now=now, status="cancelled", comment="No longer needed."
                )
        for membership in _delegates(group):  # one item owed by each named delegate
            title = f"{membership.user.name}: national contact point for {group.name}"
            if (group.id, title) in existing:
                continue
            action_services.create_action(
                actor,
                group,
                title=title,
                assignee=membership.user,
                due_date=now.date() + timedelta(days=7),
                now=now,
            )
            created["action items"] += 1
    db.session.commit()
