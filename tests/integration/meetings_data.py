"""Test data and helpers shared by the meetings, calendar and meetings-API tests."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from konsey.extensions import db
from konsey.models import AgendaItem, AuditEvent, Meeting, MeetingStatus
from tests import factories as f


def page_text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def soon(days: int = 30, hour: int = 6) -> datetime:
    """A whole UTC hour some days ahead."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make_meeting(group, title="Meeting", *, starts=None, hours=3, agenda=(), **kw) -> Meeting:
    """A meeting (planned, in Asia/Baku unless told) with agenda items given as
    titles or (title, outcome) pairs."""
    meeting = Meeting(
        group=group,
        title=title,
        number=kw.pop("number", ""),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours) if starts else None,
        timezone=kw.pop("timezone", "Asia/Baku"),
        status=MeetingStatus(kw.pop("status", "planned")),
        **kw,
    )
    db.session.add(meeting)
    for position, entry in enumerate(agenda, 1):
        title_, outcome = entry if isinstance(entry, tuple) else (entry, "")
        db.session.add(
            AgendaItem(meeting=meeting, position=position, title=title_, outcome=outcome)
        )
    db.session.commit()
    return meeting


def reload(model, obj_id):
    db.session.rollback()  # see what the requests committed
    db.session.expire_all()
    return db.session.get(model, obj_id)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions() -> list[str]:
    """The audit trail of changes (refusals are security records, not changes:
    tests/integration/test_access_log.py checks those)."""
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action != "access.denied")
            .order_by(AuditEvent.id)
        )
    )


def agenda_titles(meeting_id: int) -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AgendaItem.title)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        )
    )


def build(ctx) -> SimpleNamespace:
    """A group with a coordinator (in Bishkek's zone), two member-state
    delegations, an observer, an admin, an outsider, and a second group."""
    with f.batch():
        kz = f.make_state("KZ", "Kazakhstan")
        az = f.make_state("AZ", "Azerbaijan", tz="Asia/Baku")
        hu = f.make_state("HU", "Hungary", status="observer", tz="Europe/Budapest")
        group = f.make_group("cyber", "Cyber Security")
        other = f.make_group("e-gov", "E-Government")
        people = SimpleNamespace(
            admin=f.make_user("admin@secretariat.example.org", name="Admin", is_admin=True),
            coordinator=f.make_user(
                "pd@secretariat.example.org", name="Project Director", timezone="Asia/Bishkek"
            ),
            kz_head=f.make_user("head@kz.example.org", name="Nurlan Head", state=kz),
            kz_delegate=f.make_user(
                "dana@kz.example.org", name="Dana Delegate", state=kz, timezone="Asia/Almaty"
            ),
            az_head=f.make_user(
                "head@az.example.org", name="Elvin Head", state=az, timezone="Asia/Baku"
            ),
            hu_observer=f.make_user("obs@hu.example.org", name="Hanna Observer", state=hu),
            outsider=f.make_user("out@kz.example.org", name="Olzhas Outsider", state=kz),
            other_delegate=f.make_user("other@az.example.org", name="Other Person", state=az),
        )
        p = people
        f.add(group, p.coordinator, "coordinator")
        f.add(group, p.kz_head, "head")
        f.add(group, p.kz_delegate, "delegate")
        f.add(group, p.az_head, "head")
        f.add(group, p.hu_observer, "observer")
        f.add(other, p.coordinator, "coordinator")
        f.add(other, p.other_delegate, "delegate")
    return SimpleNamespace(kz=kz, az=az, hu=hu, group=group, other=other, **vars(people))
