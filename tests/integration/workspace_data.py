"""Papers, minutes, decisions and actions for the meeting-workspace tests."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from konsey import audit
from konsey.documents import services as documents
from konsey.extensions import db
from konsey.minutes.rules import sha256_of
from konsey.models import (
    ActionItem,
    ActionStatus,
    Decision,
    Minutes,
    MinutesParticipant,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    ParticipationReason,
    PositionKind,
)


def paper(group, item, title, *, by, visibility="group", languages=("en",), revisions=1):
    """A document linked to ``item`` with a version per language (and, with
    ``revisions``, newer English versions on top)."""
    actor = audit.Actor(user=by)
    [document] = documents.create_documents(
        actor,
        group,
        [documents.Upload(io.BytesIO(f"{title} en 1".encode()), "paper.txt")],
        title=title,
        kind="working_paper",
        language=languages[0],
        visibility=visibility,
        agenda_item=item.id,
    )
    for language in languages[1:]:
        documents.add_version(
            actor,
            document,
            documents.Upload(io.BytesIO(f"{title} {language}".encode()), "paper.txt"),
            language=language,
        )
    for n in range(2, revisions + 1):
        documents.add_version(
            actor,
            document,
            documents.Upload(io.BytesIO(f"{title} {languages[0]} {n}".encode()), "paper.txt"),
            language=languages[0],
        )
    return document


def minutes(meeting, status="draft", *, deadline=None, states=(), agreed=()):
    """Minutes with one version; circulated ones record ``states`` as taking
    part and ``agreed`` as having agreed."""
    record = Minutes(
        meeting=meeting,
        status=MinutesStatus(status),
        comment_deadline=deadline,
        circulated_at=datetime.now(UTC) if status != "draft" else None,
    )
    text = "The meeting opened."
    version = MinutesVersion(minutes=record, number=1, text=text, sha256=sha256_of(text))
    db.session.add_all([record, version])
    db.session.flush()
    for state in states:
        db.session.add(
            MinutesParticipant(
                version_id=version.id,
                member_state_id=state.id,
                reason=ParticipationReason.CIRCULATED,
            )
        )
    for state in agreed:
        db.session.add(
            MinutesPosition(
                version_id=version.id, member_state_id=state.id, position=PositionKind.AGREE
            )
        )
    db.session.commit()
    return record


def decision(record, item, text, position=1):
    row = Decision(minutes=record, agenda_item=item, position=position, text=text)
    db.session.add(row)
    db.session.commit()
    return row


def action(group, title, *, status="open", item=None, decision=None, state=None, due=None):
    row = ActionItem(
        group=group,
        title=title,
        status=ActionStatus(status),
        owner_state=state,
        due_date=due or date.today() + timedelta(days=30),
        meeting_id=item.meeting_id if item is not None else None,
        agenda_item=item,
        decision=decision,
    )
    db.session.add(row)
    db.session.commit()
    return row
