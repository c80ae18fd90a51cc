"""A busy day in three working groups, made through the services (as the
pages would): the data of the digest tests and of the digest screenshot.

- Cyber Security: the 3rd Meeting announced, its venue changed and seven
  agenda items added; minutes of the 2nd Meeting circulated under a silence
  procedure, Azerbaijan's reservation on them, Kazakhstan still silent;
  Kazakhstan's action reported done with a note verbale, another overdue;
  a document for the group only and one shared with observers.
- E-Government: minutes agreed by both states (to sign); a delegate who
  leaves the group at the end of the day.
- Satellite Services: a group the reader is not in.
"""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

from konsey import audit
from konsey.actions import services as action_services
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.groups import services as group_services
from konsey.meetings import agenda
from konsey.meetings import services as meeting_services
from konsey.minutes import agreement
from konsey.minutes import services as minutes_services
from konsey.models import Membership, NoticeMode, User
from konsey.models.base import utcnow
from tests import factories as f

AGENDA = [
    "Opening",
    "Adoption of the agenda",
    "National CERT cooperation",
    "Exchange of contact points",
    "Cyber exercise 2027",
    "Any other business",
    "Date and venue of the next meeting",
]
REFERENCE = "Note verbale No. 12-1/2345"


def _upload(actor, group, title, visibility):
    [doc] = document_services.create_documents(
        actor,
        group,
        [Upload(stream=io.BytesIO(samples.make_pdf([title])), filename="paper.pdf")],
        title=title,
        kind="working_paper",
        language="en",
        visibility=visibility,
    )
    db.session.commit()
    return doc


def _meeting(actor, group, title, number, starts, status="planned", city="Istanbul"):
    return meeting_services.create_meeting(
        actor,
        group,
        {
            "title": title,
            "number": number,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=6),
            "timezone": "Europe/Istanbul",
            "venue_city": city,
            "status": status,
        },
    )


def build() -> SimpleNamespace:
    now = utcnow()
    with f.batch():
        kz = f.make_state("KZ", "Kazakhstan", tz="Asia/Almaty")
        az = f.make_state("AZ", "Azerbaijan", tz="Asia/Baku")
        hu = f.make_state("HU", "Hungary", status="observer", tz="Europe/Budapest")
        cyber = f.make_group("cyber", "Cyber Security")
        egov = f.make_group("egov", "E-Government")
        sat = f.make_group("satellite", "Satellite Services")
        p = SimpleNamespace(
            coordinator=f.make_user(
                "pd@secretariat.example.org", name="Project Director", notices=NoticeMode.DIGEST
            ),
            signatory=f.make_user(
                "sg@secretariat.example.org", name="Secretary General", is_signatory=True
            ),
            kz_head=f.make_user(
                "head@kz.example.org", name="Nurlan Head", state=kz, timezone="Asia/Almaty"
            ),
            kz_delegate=f.make_user("dana@kz.example.org", name="Dana Delegate", state=kz),
            az_head=f.make_user(
                "head@az.example.org", name="Elvin Head", state=az, timezone="Asia/Baku"
            ),
            observer=f.make_user("obs@hu.example.org", name="Hanna Observer", state=hu),
            leaver=f.make_user("leaves@kz.example.org", name="Leila Leaver", state=kz),
            sat_coordinator=f.make_user("sat@secretariat.example.org", name="Sat Coordinator"),
        )
        for group in (cyber, egov):
            f.add(group, p.coordinator, "coordinator")
            f.add(group, p.kz_head, "head")
            f.add(group, p.az_head, "head")
            f.add(group, p.signatory, "observer")
        f.add(cyber, p.kz_delegate, "delegate")
        f.add(cyber, p.observer, "observer")
        f.add(egov, p.leaver, "delegate")
        f.add(sat, p.sat_coordinator, "coordinator")
    pd = audit.Actor(p.coordinator)

    # Cyber Security: the next meeting and its agenda.
    third = _meeting(pd, cyber, "Cyber Security Working Group", "3rd Meeting", now + timedelta(30))
    meeting_services.update_meeting(pd, third, {"venue_city": "Baku", "timezone": "Asia/Baku"})
    for title in AGENDA:
        agenda.add_item(pd, third, {"title": title})

    # Minutes of the 2nd Meeting: circulated, a reservation, Kazakhstan silent.
    second = _meeting(
        pd, cyber, "Cyber Security Working Group", "2nd Meeting", now - timedelta(20), "held"
    )
    cyber_minutes = minutes_services.add_version(
        pd, second, None, "The group agreed to exchange contact points.", now=now
    ).minutes
    minutes_services.circulate(
        pd, cyber_minutes, deadline=now + timedelta(days=5), silence_procedure=True, now=now
    )
    agreement.record_position(
        audit.Actor(p.az_head),
        cyber_minutes,
        p.az_head,
        version_number=1,
        position="reservation",
        text="Azerbaijan asks to name the national CERTs in paragraph 2.",
        now=now,
    )

    # Actions owed by Kazakhstan: one reported done, one overdue.
    reported = action_services.create_action(
        pd,
        cyber,
        title="Inform the Secretariat of the national contact point",
        owner_state=kz,
        due_date=(now + timedelta(days=5)).date(),
        now=now,
    )
    dana = audit.Actor(p.kz_delegate)
    action_services.update_action(dana, reported, now=now, status="in_progress", comment="Drafted")
    action_services.update_action(dana, reported, now=now, status="done", reference=REFERENCE)
    overdue = action_services.create_action(
        pd,
        cyber,
        title="Send comments on the cyber exercise scenario",
        owner_state=kz,
        due_date=(now - timedelta(days=3)).date(),
        now=now,
        confirm_past_due=True,
    )
    soon = action_services.create_action(
        pd,
        cyber,
        title="Nominate experts for the cyber exercise",
        owner_state=kz,
        due_date=(now + timedelta(days=10)).date(),
        now=now,
    )
    group_doc = _upload(pd, cyber, "Draft CERT cooperation roadmap", "group")
    shared_doc = _upload(pd, cyber, "Cyber exercise concept note", "observers")

    # E-Government: minutes agreed by both states; a document; a leaver.
    egov_meeting = _meeting(
        pd, egov, "E-Government Working Group", "1st Meeting", now - timedelta(10), "held"
    )
    egov_minutes = minutes_services.add_version(
        pd, egov_meeting, None, "The group adopted its work plan.", now=now
    ).minutes
    minutes_services.circulate(
        pd, egov_minutes, deadline=now + timedelta(days=3), silence_procedure=False, now=now
    )
    for head in (p.kz_head, p.az_head):
        agreement.record_position(
            audit.Actor(head), egov_minutes, head, version_number=1, position="agree", now=now
        )
    egov_doc = _upload(pd, egov, "E-Government work plan 2027", "group")
    sat_meeting = _meeting(
        audit.Actor(p.sat_coordinator), sat, "Satellite Services", "1st Meeting", now + timedelta(9)
    )
    membership = db.session.query(Membership).filter_by(group=egov, user=p.leaver).one()
    group_services.remove_member(pd, membership)
    db.session.expire_all()
    return SimpleNamespace(
        now=utcnow(),  # the day is over: digests run after it
        kz=kz,
        az=az,
        cyber=cyber,
        egov=egov,
        sat=sat,
        third=third,
        second=second,
        cyber_minutes=cyber_minutes,
        egov_minutes=egov_minutes,
        reported=reported,
        overdue=overdue,
        soon=soon,
        group_doc=group_doc,
        shared_doc=shared_doc,
        egov_doc=egov_doc,
        sat_meeting=sat_meeting,
        **vars(p),
    )


def reload(user: User) -> User:
    return db.session.get(User, user.id)
