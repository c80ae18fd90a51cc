"""A working group for the minutes tests: two member states with heads of
delegation, a delegate and an expert, an observer state, a coordinator, a
signatory, and a held meeting with an agenda."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from konsey import audit
from konsey.extensions import db
from konsey.models import AgendaItem, AuditEvent, Meeting, MeetingStatus, Minutes
from tests import factories as f


def build() -> SimpleNamespace:
    with f.batch():
        kz = f.make_state("KZ", "Kazakhstan")
        az = f.make_state("AZ", "Azerbaijan", tz="Asia/Baku")
        hu = f.make_state("HU", "Hungary", status="observer", tz="Europe/Budapest")
        group = f.make_group("cyber", "Cyber Security")
        people = SimpleNamespace(
            admin=f.make_user("admin@secretariat.example.org", name="Admin", is_admin=True),
            coordinator=f.make_user(
                "pd@secretariat.example.org", name="Project Director", timezone="Asia/Almaty"
            ),
            signatory=f.make_user(
                "sg@secretariat.example.org", name="Secretary General", is_signatory=True
            ),
            kz_head=f.make_user("head@kz.example.org", name="Nurlan Head", state=kz),
            kz_delegate=f.make_user("dana@kz.example.org", name="Dana Delegate", state=kz),
            kz_expert=f.make_user("erlan@kz.example.org", name="Erlan Expert", state=kz),
            az_head=f.make_user(
                "head@az.example.org", name="Elvin Head", state=az, timezone="Asia/Baku"
            ),
            hu_observer=f.make_user("obs@hu.example.org", name="Hanna Observer", state=hu),
            outsider=f.make_user("out@kz.example.org", name="Outside Person", state=kz),
        )
        p = people
        f.add(group, p.coordinator, "coordinator")
        f.add(group, p.signatory, "observer")
        f.add(group, p.kz_head, "head")
        f.add(group, p.kz_delegate, "delegate")
        f.add(group, p.kz_expert, "expert")
        f.add(group, p.az_head, "head")
        f.add(group, p.hu_observer, "observer")
        starts = datetime(2026, 11, 8, 6, 0, tzinfo=UTC)
        meeting = Meeting(
            group=group,
            title="Cyber Security Working Group",
            number="3rd Meeting",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            timezone="Europe/Istanbul",
            status=MeetingStatus.HELD,
        )
        items = [
            AgendaItem(meeting=meeting, position=1, title="Opening"),
            AgendaItem(meeting=meeting, position=2, title="National CERT cooperation"),
        ]
        db.session.add_all([meeting, *items])
    return SimpleNamespace(
        kz=kz, az=az, hu=hu, group=group, meeting=meeting, items=items, **vars(p)
    )


def page_text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def minutes_of(meeting) -> Minutes | None:
    """The record as the database has it now (after the requests' commits)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))


def snapshot(meeting) -> dict:
    """Everything a refused request must leave unchanged."""
    minutes = minutes_of(meeting)
    if minutes is None:
        return {"minutes": None, "audit": audit_count()}
    from konsey.models import Decision, MinutesComment, MinutesPosition, MinutesVersion

    versions = db.session.scalars(
        select(MinutesVersion).where(MinutesVersion.minutes_id == minutes.id)
    ).all()
    version_ids = [v.id for v in versions]
    positions = db.session.scalars(
        select(MinutesPosition).where(MinutesPosition.version_id.in_(version_ids))
    ).all()
    return {
        "status": minutes.status,
        "deadline": minutes.comment_deadline,
        "silence": minutes.silence_procedure,
        "signed": (minutes.signed_sha256, minutes.signed_by_id, minutes.signed_at),
        "versions": [(v.number, v.text, v.sha256) for v in versions],
        "positions": sorted(
            (p.version_id, p.member_state_id, p.position, p.text, p.recorded_at) for p in positions
        ),
        "comments": db.session.scalar(
            select(func.count())
            .select_from(MinutesComment)
            .where(MinutesComment.version_id.in_(version_ids))
        ),
        "decisions": db.session.scalar(
            select(func.count()).select_from(Decision).where(Decision.minutes_id == minutes.id)
        ),
        "audit": audit_count(),
    }


def audit_count() -> int:
    """Audit events of changes (refusals are security records, not changes:
    tests/integration/test_access_log.py checks those)."""
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "access.denied")
    )


def audit_actions(prefix: str = "minutes.") -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
    )


def actor(user) -> audit.Actor:
    return audit.Actor(user=user, ip="test")
