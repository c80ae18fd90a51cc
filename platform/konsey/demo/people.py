"""Demo member states, working groups, accounts and memberships."""

from __future__ import annotations

from collections import Counter

from flask import current_app
from sqlalchemy import select

from konsey.auth.passwords import hash_password
from konsey.extensions import db
from konsey.models import (
    DigestFrequency,
    Membership,
    MemberState,
    Role,
    StateStatus,
    User,
    WorkingGroup,
)

STATES = [
    # code, English name, names, status, capital time zone
    ("AZ", "Azerbaijan", {"tr": "Azerbaycan", "ru": "Азербайджан"}, "member", "Asia/Baku"),
    ("KZ", "Kazakhstan", {"tr": "Kazakistan", "ru": "Казахстан"}, "member", "Asia/Almaty"),
    ("KG", "Kyrgyzstan", {"tr": "Kırgızistan", "ru": "Кыргызстан"}, "member", "Asia/Bishkek"),
    ("TR", "Turkey", {"tr": "Türkiye", "ru": "Турция"}, "member", "Europe/Istanbul"),
    ("HU", "Hungary", {"tr": "Macaristan", "ru": "Венгрия"}, "observer", "Europe/Budapest"),
]

GROUPS = [
    (
        "cyber-security",
        "Cyber Security",
        "Cooperation of the member states on cyber security: incident response, "
        "information exchange on threats, capacity building.",
    ),
    (
        "tasim-fibre",
        "TASIM and Fibre-Optic Infrastructure",
        "The Trans-Eurasian Information Super Highway (TASIM) and fibre-optic links "
        "between the member states.",
    ),
    (
        "satellite-services",
        "Satellite Services",
        "Cooperation on satellite communication and earth-observation services.",
    ),
    (
        "e-government",
        "E-Government",
        "Exchange of experience on electronic government services and interoperability.",
    ),
    (
        "ict-ministers",
        "Meeting of Ministers in charge of ICT",
        "The ministerial meeting that steers the four sub-working groups and adopts "
        "their outcomes.",
    ),
]
ALL_GROUPS = [slug for slug, _name, _mandate in GROUPS]

# email, name, state, locale, time zone, admin?, {group: role}
USERS = [
    (
        "admin@secretariat.example.org",
        "Secretariat Administrator",
        None,
        "en",
        "Europe/Istanbul",
        True,
        {},
    ),
    (
        "coordinator@secretariat.example.org",
        "Project Director (Secretariat)",
        None,
        "tr",
        "Europe/Istanbul",
        False,
        dict.fromkeys(ALL_GROUPS, Role.COORDINATOR),
    ),
    (
        "secretary.general@secretariat.example.org",
        "Secretary General",
        None,
        "tr",
        "Europe/Istanbul",
        False,
        {"ict-ministers": Role.COORDINATOR},
    ),
    (
        "head.az@az.example.org",
        "Head of Delegation of Azerbaijan",
        "AZ",
        "tr",
        "Asia/Baku",
        False,
        dict.fromkeys(ALL_GROUPS, Role.HEAD),
    ),
    (
        "head.kz@kz.example.org",
        "Head of Delegation of Kazakhstan",
        "KZ",
        "ru",
        "Asia/Almaty",
        False,
        dict.fromkeys(ALL_GROUPS, Role.HEAD),
    ),
    (
        "head.kg@kg.example.org",
        "Head of Delegation of Kyrgyzstan",
        "KG",
        "ru",
        "Asia/Bishkek",
        False,
        dict.fromkeys(ALL_GROUPS, Role.HEAD),
    ),
    (
        "head.tr@tr.example.org",
        "Head of Delegation of Turkey",
        "TR",
        "tr",
        "Europe/Istanbul",
        False,
        dict.fromkeys(ALL_GROUPS, Role.HEAD),
    ),
    (
        "delegate.kz@kz.example.org",
        "Delegate of Kazakhstan",
        "KZ",
        "ru",
        "Asia/Almaty",
        False,
        {"cyber-security": Role.DELEGATE, "e-government": Role.DELEGATE},
    ),
    (
        "expert.kg@kg.example.org",
        "Expert of Kyrgyzstan",
        "KG",
        "ru",
        "Asia/Bishkek",
        False,
        {"satellite-services": Role.EXPERT},
    ),
    (
        "observer.hu@hu.example.org",
        "Observer of Hungary",
        "HU",
        "en",
        "Europe/Budapest",
        False,
        {"e-government": Role.OBSERVER},
    ),
]

DEMO_ACCOUNTS = [
    ("admin@secretariat.example.org", "admin"),
    ("coordinator@secretariat.example.org", "coordinator of all five groups"),
    (
        "secretary.general@secretariat.example.org",
        "Secretary General: signs minutes (ict-ministers)",
    ),
    ("head.az@az.example.org", "head of delegation, Azerbaijan (all groups)"),
    ("head.kz@kz.example.org", "head of delegation, Kazakhstan (all groups)"),
    ("head.kg@kg.example.org", "head of delegation, Kyrgyzstan (all groups)"),
    ("head.tr@tr.example.org", "head of delegation, Turkey (all groups)"),
    ("delegate.kz@kz.example.org", "delegate, Kazakhstan (cyber-security, e-government)"),
    ("expert.kg@kg.example.org", "expert, Kyrgyzstan (satellite-services)"),
    ("observer.hu@hu.example.org", "observer, Hungary (e-government)"),
]


def load_people(created: Counter) -> None:
    states = {s.code: s for s in db.session.scalars(select(MemberState))}
    for code, name, names, status, tz in STATES:
        if code not in states:
            states[code] = MemberState(
                code=code,
                name=name,
                names=names,
                status=StateStatus(status),
                capital_timezone=tz,
            )
            db.session.add(states[code])
            created["member states"] += 1

    groups = {g.slug: g for g in db.session.scalars(select(WorkingGroup))}
    for slug, name, mandate in GROUPS:
        if slug not in groups:
            groups[slug] = WorkingGroup(slug=slug, name=name, mandate=mandate)
            db.session.add(groups[slug])
            created["working groups"] += 1
    db.session.flush()

    password_hash = None
    users = {u.email: u for u in db.session.scalars(select(User))}
    existing = {(m.group_id, m.user_id) for m in db.session.scalars(select(Membership))}
    # The Secretary General signs agreed minutes ("Toplantı Zaptı").
    signatories = {"secretary.general@secretariat.example.org"}
    for email, name, state, locale, tz, is_admin, roles in USERS:
        user = users.get(email)
        if user is None:
            password_hash = password_hash or hash_password(current_app.config["DEMO_PASSWORD"])
            user = User(
                email=email,
                name=name,
                member_state=states[state] if state else None,
                locale=locale,
                timezone=tz,
                is_admin=is_admin,
                password_hash=password_hash,
                is_signatory=email in signatories,
                digest=DigestFrequency.DAILY,
            )
            db.session.add(user)
            db.session.flush()
            created["users"] += 1
        for slug, role in roles.items():
            group = groups[slug]
            if (group.id, user.id) not in existing:
                db.session.add(
                    Membership(
                        group=group, user=user, role=role, member_state_id=user.member_state_id
                    )
                )
                created["memberships"] += 1
    db.session.flush()
