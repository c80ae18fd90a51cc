"""Demo meetings and minutes from the founding case (Istanbul, 8–9 November 2017).

Built through the same services as the UI (so every rule holds), with the
clock set to the time each step happened. Looked up by title: idempotent.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.meetings import agenda as agenda_services
from konsey.meetings import services as meeting_services
from konsey.minutes import services as minutes_services
from konsey.models import Meeting, MemberState, User, WorkingGroup
from konsey.timefmt import to_utc

STATES = ("AZ", "KZ", "KG", "TR")

# The founding text (Turkish), summarised as the 2nd Ministerial Meeting's minutes.
MINUTES_2017 = """\
# Türk Konseyi BİT'ten Sorumlu Bakanları 2. Toplantısı — Toplantı Zaptı

İstanbul, 9 Kasım 2017

Türk Konseyi Bilgi ve İletişim Teknolojilerinden (BİT) Sorumlu Bakanları'nın 2. Toplantısı
9 Kasım 2017 tarihinde İstanbul'da gerçekleştirilmiştir.

Türk Konseyi Genel Sekreteri tarafından açılışı yapılan toplantıda Türkiye, Azerbaycan,
Kırgızistan ve Kazakistan heyet başkanları birer konuşma yapmışlardır.

Üye Devletler, BİT'in önemini vurgulayarak, gündelik hayatta ekonomiden güvenliğe kadar her
alanda kapsadığı role dikkat çekmişlerdir. Taraflar, dün düzenlenen dört alt çalışma grubunda
görüşülen konulara da temas etmişlerdir.

Bakanlar, dört alt çalışma grubu aracılığıyla işbirliğinin geliştirilmesinin önemini
vurgulamışlardır.

**Karar:** 3. Bakanlar Toplantısının yer ve tarihinin belirlenmesine ilişkin olarak,
Kazakistan'ın bu konu hakkında Sekretaryaya diplomatik kanallar aracılığıyla bilgi vermesi
hususunda mutabık kalınmıştır.

Görüşmelerin tamamlanmasını takiben İkinci Bakanlar Toplantısı'nın mutabık kalınan Toplantı
Zaptı Genel Sekreter tarafından imzalanmıştır.
"""

DECISION_2017 = (
    "Kazakhstan informs the Secretariat, through diplomatic channels, of the place and date "
    "of the 3rd Ministerial Meeting."
)

# The threat-exchange decision: version 1's wording, and version 3's after
# Turkey's reservation (what the signed record shows).
THREAT_DECISION_V1 = (
    "The member states exchange information on the cyber threats they face; the exchange "
    "is led by Turkey."
)
THREAT_DECISION_V3 = (
    "The member states exchange information on the cyber threats they face; the exchange "
    "is led by Turkey together with Azerbaijan."
)
TURKEY_RESERVATION = (
    "Turkey asks that the exchange of information on cyber threats be led by Turkey "
    "together with Azerbaijan."
)

AGENDA_2017 = [
    ("Opening by the Secretary General", None, 15),
    (
        "Statements of the heads of delegation (Turkey, Azerbaijan, Kyrgyzstan, Kazakhstan)",
        None,
        60,
    ),
    ("Reports of the four sub-working groups (met on 8 November 2017)", None, 40),
    ("Cyber security: threats faced by the member states", None, 30),
    ("Cooperation through the four sub-working groups", None, 20),
    ("Place and date of the 3rd Ministerial Meeting", "KZ", 10),
    ("Signing of the minutes (Toplantı Zaptı)", None, 5),
]

WG_TITLES = {
    "cyber-security": "Sub-Working Group on Cyber Security",
    "tasim-fibre": "Sub-Working Group on TASIM and Fibre-Optic Infrastructure",
    "satellite-services": "Sub-Working Group on Satellite Services",
    "e-government": "Sub-Working Group on E-Government",
}

DEMO_ACTOR = audit.Actor(user=None, ip="cli")


def _at(day: date, hour: int, zone: str) -> datetime:
    return to_utc(day, time(hour, 0), zone)


def _meeting(created: Counter, group: WorkingGroup, title: str, **values) -> tuple[Meeting, bool]:
    existing = db.session.scalar(
        select(Meeting).where(Meeting.group_id == group.id, Meeting.title == title)
    )
    if existing is not None:
        return existing, False
    meeting = meeting_services.create_meeting(DEMO_ACTOR, group, {"title": title, **values})
    db.session.commit()
    created["meetings"] += 1
    return meeting, True


def _agenda(meeting: Meeting, items, states: dict[str, MemberState]) -> None:
    for title, lead, minutes in items:
        agenda_services.add_item(
            DEMO_ACTOR,
            meeting,
            {
                "title": title,
                "lead_state_id": states[lead].id if lead else None,
                "duration_minutes": minutes,
            },
        )
    db.session.commit()


def _heads(group: WorkingGroup) -> dict[str, User]:
    from konsey.models import Membership, Role

    rows = db.session.scalars(
        select(Membership).where(Membership.group_id == group.id, Membership.role == Role.HEAD)
    )
    return {m.user.member_state.code: m.user for m in rows if m.user.member_state}


def _minutes(
    meeting: Meeting,
    text: str,
    *,
    written: datetime,
    deadline: datetime | None,
    positions: dict[str, str],
    signer: User | None,
    decisions=(),
) -> None:
    """Draft → circulated → the given positions → (signed)."""
    version = minutes_services.add_version(DEMO_ACTOR, meeting, None, text, now=written)
    minutes = version.minutes
    db.session.commit()
    for decision, agenda_item_id in decisions:
        minutes_services.add_decision(DEMO_ACTOR, minutes, decision, agenda_item_id)
        db.session.commit()
    if deadline is None:
        return  # stays a draft
    minutes_services.circulate(
        DEMO_ACTOR, minutes, deadline=deadline, silence_procedure=False, now=written
    )
    db.session.commit()
    heads = _heads(meeting.group)
    for code, position in positions.items():
        head = heads[code]
        minutes_services.record_position(
            audit.Actor(head, "cli"),
            minutes,
            head,
            version_number=1,
            position=position,
            text="" if position == "agree" else "Editorial remark on paragraph 2.",
            now=written + timedelta(hours=2),
        )
        db.session.commit()
    if signer is not None:
        minutes_services.sign(
            audit.Actor(signer, "cli"), minutes, signer, now=written + timedelta(hours=4)
        )
        db.session.commit()


def _founding_minutes(meeting: Meeting, signer: User | None) -> None:
    """The 2nd Ministerial Meeting's minutes: version 1 with its two decisions,
    circulated; Turkey's reservation on the threat exchange; version 2 (an
    editorial change, the reservation stands); version 3 changes the decision
    to "led by Turkey together with Azerbaijan"; all agree; signed."""
    from konsey.minutes.decisions import DecisionRow

    day = date(2017, 11, 9)
    zone = "Europe/Istanbul"
    place_and_date = next(i for i in meeting.agenda if i.title.startswith("Place and date"))
    threats = next(i for i in meeting.agenda if i.title.startswith("Cyber security"))
    first_text = MINUTES_2017.replace("İkinci Bakanlar Toplantısı'nın mutabık", "mutabık")
    written = _at(day, 11, zone)
    version = minutes_services.add_version(
        DEMO_ACTOR,
        meeting,
        None,
        first_text,
        now=written,
        note="First draft",
        decisions=[
            DecisionRow(None, DECISION_2017, place_and_date.id),
            DecisionRow(None, THREAT_DECISION_V1, threats.id),
        ],
    )
    minutes = version.minutes
    db.session.commit()
    minutes_services.circulate(
        DEMO_ACTOR,
        minutes,
        deadline=_at(day, 18, zone),
        silence_procedure=False,
        now=written + timedelta(minutes=10),
    )
    db.session.commit()
    heads = _heads(meeting.group)

    def position(code, kind, number, at, text=""):
        head = heads[code]
        minutes_services.record_position(
            audit.Actor(head, "cli"),
            minutes,
            head,
            version_number=number,
            position=kind,
            text=text,
            now=at,
        )
        db.session.commit()

    position("TR", "reservation", 1, written + timedelta(minutes=20), TURKEY_RESERVATION)
    current = minutes.current
    rows = [DecisionRow(d.decision_id, d.text, d.agenda_item_id) for d in current.decisions]
    minutes_services.add_version(
        DEMO_ACTOR,
        meeting,
        minutes,
        MINUTES_2017,
        now=written + timedelta(minutes=30),
        note="Editorial: the signing paragraph names the Second Ministerial Meeting",
        decisions=rows,
        base_version=1,
    )
    db.session.commit()
    position("TR", "reservation", 2, written + timedelta(minutes=40), TURKEY_RESERVATION)
    current = minutes_of_meeting(meeting).current
    rows = [
        DecisionRow(
            d.decision_id,
            THREAT_DECISION_V3 if d.text == THREAT_DECISION_V1 else d.text,
            d.agenda_item_id,
        )
        for d in current.decisions
    ]
    minutes_services.add_version(
        DEMO_ACTOR,
        meeting,
        minutes,
        MINUTES_2017,
        now=written + timedelta(minutes=60),
        note="Turkey's reservation: the threat exchange is led by Turkey together with Azerbaijan",
        decisions=rows,
        base_version=2,
    )
    db.session.commit()
    for n, code in enumerate(STATES):
        position(code, "agree", 3, written + timedelta(minutes=70 + n))
    if signer is not None:
        minutes = minutes_of_meeting(meeting)
        minutes_services.sign(
            audit.Actor(signer, "cli"), minutes, signer, now=written + timedelta(minutes=120)
        )
        db.session.commit()


def minutes_of_meeting(meeting: Meeting):
    from konsey.minutes import queries

    return queries.minutes_of(meeting)


def load_meetings(created: Counter, today: datetime) -> None:
    groups = {g.slug: g for g in db.session.scalars(select(WorkingGroup))}
    states = {s.code: s for s in db.session.scalars(select(MemberState))}
    signer = db.session.scalar(
        select(User).where(User.email == "secretary.general@secretariat.example.org")
    )
    ministers = groups["ict-ministers"]
    all_agree = dict.fromkeys(STATES, "agree")

    first, new = _meeting(
        created,
        ministers,
        "1st Meeting of the Ministers in charge of ICT",
        number="1st Meeting",
        starts_at=_at(date(2016, 11, 29), 10, "Asia/Baku"),
        ends_at=_at(date(2016, 11, 29), 17, "Asia/Baku"),
        timezone="Asia/Baku",
        venue_city="Baku",
        status="held",
    )
    if new:
        _minutes(
            first,
            "# Minutes of the 1st Meeting of the Ministers in charge of ICT\n\n"
            "Baku, 29 November 2016. The Ministers agreed to cooperate through four "
            "sub-working groups: Cyber Security; TASIM and Fibre-Optic Infrastructure; "
            "Satellite Services; E-Government.\n",
            written=_at(date(2016, 11, 29), 18, "Asia/Baku"),
            deadline=_at(date(2016, 12, 9), 18, "Asia/Baku"),
            positions=all_agree,
            signer=signer,
        )

    for slug, title in WG_TITLES.items():
        meeting, new = _meeting(
            created,
            groups[slug],
            f"Meeting of the {title}",
            number="Istanbul 2017",
            starts_at=_at(date(2017, 11, 8), 10, "Europe/Istanbul"),
            ends_at=_at(date(2017, 11, 8), 17, "Europe/Istanbul"),
            timezone="Europe/Istanbul",
            venue_city="Istanbul",
            status="held",
        )
        if not new:
            continue
        _agenda(
            meeting,
            [
                ("Adoption of the agenda", None, 10),
                ("Exchange of national experience", None, 120),
                ("Proposals to the Ministers", None, 60),
            ],
            states,
        )
        text = (
            f"# {title}: minutes\n\nIstanbul, 8 November 2017. The delegations exchanged "
            "their national experience and prepared proposals for the Ministers.\n"
        )
        written = _at(date(2017, 11, 8), 18, "Europe/Istanbul")
        deadline = _at(date(2017, 11, 20), 18, "Europe/Istanbul")
        if slug == "cyber-security":  # a draft not yet circulated
            _minutes(meeting, text, written=written, deadline=None, positions={}, signer=None)
        elif slug == "tasim-fibre":  # agreed, awaiting signature
            _minutes(
                meeting, text, written=written, deadline=deadline, positions=all_agree, signer=None
            )
        elif slug == "satellite-services":  # signed
            coordinator = _heads_coordinator(groups[slug])
            _minutes(
                meeting,
                text,
                written=written,
                deadline=deadline,
                positions=all_agree,
                signer=coordinator,
            )
        else:  # e-government: circulated now, two states have answered
            local_today = today.date()
            _minutes(
                meeting,
                text,
                written=today - timedelta(days=2),
                deadline=_at(local_today + timedelta(days=10), 18, "Europe/Istanbul"),
                positions={"AZ": "agree", "TR": "agree"},
                signer=None,
            )

    second, new = _meeting(
        created,
        ministers,
        "2nd Meeting of the Ministers in charge of ICT",
        number="2nd Meeting",
        starts_at=_at(date(2017, 11, 9), 10, "Europe/Istanbul"),
        ends_at=_at(date(2017, 11, 9), 13, "Europe/Istanbul"),
        timezone="Europe/Istanbul",
        venue_city="Istanbul",
        status="held",
    )
    if new:
        _agenda(second, AGENDA_2017, states)
        _founding_minutes(second, signer)

    _meeting(
        created,
        ministers,
        "3rd Meeting of the Ministers in charge of ICT",
        number="3rd Meeting",
        timezone="Asia/Almaty",
        status="planned",
    )

    upcoming = today + timedelta(days=7)  # so `make run` shows its 7-day reminder
    egov, new = _meeting(
        created,
        groups["e-government"],
        "2nd Meeting of the Sub-Working Group on E-Government",
        number="2nd Meeting",
        starts_at=_at(upcoming.date(), 10, "Asia/Almaty"),
        ends_at=_at(upcoming.date(), 16, "Asia/Almaty"),
        timezone="Asia/Almaty",
        venue_city="Almaty",
        venue_address="Kazakhstan, Almaty",
        status="planned",
    )
    if new:
        _agenda(
            egov,
            [
                ("Interoperability of e-government services", "KZ", 90),
                ("Digital signatures across borders", "AZ", 60),
            ],
            states,
        )


def _heads_coordinator(group: WorkingGroup) -> User:
    from konsey.models import Membership, Role

    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.role == Role.COORDINATOR)
        .order_by(User.id)
        .limit(1)
    )
