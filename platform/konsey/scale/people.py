"""Member states, users and working groups with their rosters, for the generator."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.low_level import hash_secret
from sqlalchemy import select

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
from konsey.scale.bulk import Writer

# code, name, names, status, capital zone, locales people of the state choose
STATES = [
    ("AZ", "Azerbaijan", {"tr": "Azerbaycan", "ru": "Азербайджан"}, "Asia/Baku", "tr ru en"),
    ("KZ", "Kazakhstan", {"tr": "Kazakistan", "ru": "Казахстан"}, "Asia/Almaty", "ru ru en"),
    ("KG", "Kyrgyzstan", {"tr": "Kırgızistan", "ru": "Кыргызстан"}, "Asia/Bishkek", "ru ru tr"),
    ("TR", "Turkey", {"tr": "Türkiye", "ru": "Турция"}, "Europe/Istanbul", "tr tr en"),
    ("UZ", "Uzbekistan", {"tr": "Özbekistan", "ru": "Узбекистан"}, "Asia/Tashkent", "ru en tr"),
    (
        "TM",
        "Turkmenistan",
        {"tr": "Türkmenistan", "ru": "Туркменистан"},
        "Asia/Ashgabat",
        "ru ru en",
    ),
]
OBSERVER = ("HU", "Hungary", {"tr": "Macaristan", "ru": "Венгрия"}, "Europe/Budapest", "en")
SECRETARIAT_ZONES = ["Europe/Istanbul", "Europe/Istanbul", "UTC", "Europe/Brussels"]
OTHER_ZONES = ["UTC", "Europe/Istanbul", "Asia/Baku", "Europe/Moscow", "America/New_York"]
DIGESTS = [DigestFrequency.DAILY] * 4 + [
    DigestFrequency.WEEKLY,
    DigestFrequency.WEEKLY,
    DigestFrequency.IMMEDIATELY,
    DigestFrequency.OFF,
]
FIRST = [
    "Aliya",
    "Arman",
    "Aydın",
    "Bakyt",
    "Dilnoza",
    "Elif",
    "Emre",
    "Farid",
    "Gulnara",
    "Ilham",
    "Kanat",
    "Leyla",
    "Murat",
    "Nurlan",
    "Orhan",
    "Rustam",
    "Saule",
    "Selin",
    "Timur",
    "Ulugbek",
    "Zeynep",
    "Aigerim",
    "Anar",
    "Berk",
    "Jamila",
    "Merve",
    "Serik",
]
LAST = [
    "Aliyev",
    "Nazarbayeva",
    "Öztürk",
    "Abdullayev",
    "Mammadova",
    "Sarsenbayev",
    "Yılmaz",
    "Karimov",
    "Tokayeva",
    "Jumabaev",
    "Demir",
    "Rahimova",
    "Ismailov",
    "Kaya",
    "Omarova",
    "Berdiyev",
    "Şahin",
    "Usmanov",
    "Seitkali",
    "Çelik",
]
GROUP_THEMES = [
    "Cyber Security",
    "TASIM and Fibre-Optic Infrastructure",
    "Satellite Services",
    "E-Government",
    "Customs Cooperation",
    "Transport Corridors",
    "Energy Cooperation",
    "Tourism",
    "Health",
    "Education",
    "Diaspora Affairs",
    "Media and Information",
    "Youth and Sports",
    "Agriculture",
    "Statistics",
    "Standards and Metrology",
    "Migration",
    "Culture and Heritage",
    "Finance",
    "Trade Facilitation",
]

# A group's roster: per member state one head, four delegates and four
# experts; three secretariat coordinators; three observers (60 people).
DELEGATION = [Role.HEAD] + [Role.DELEGATE] * 4 + [Role.EXPERT] * 4
COORDINATORS = 3
OBSERVERS = 3


@dataclass
class Person:
    id: int
    state_id: int | None
    timezone: str
    email: str


@dataclass
class GroupPeople:
    id: int
    slug: str
    coordinators: list[Person] = field(default_factory=list)
    # state id → its delegation, head first
    delegations: dict[int, list[Person]] = field(default_factory=dict)
    observers: list[Person] = field(default_factory=list)

    @property
    def delegates(self) -> list[Person]:
        return [p for people in self.delegations.values() for p in people]


@dataclass
class People:
    states: dict[str, MemberState]
    groups: list[GroupPeople]


def password_hash(password: str, seed: int) -> str:
    """One argon2id hash for every generated account (hashing 10,000 would take
    minutes), with a salt from the seed so the same seed gives the same data."""
    hasher = PasswordHasher()
    salt = hashlib.sha256(f"konsey-generate-{seed}".encode()).digest()[:16]
    return hash_secret(
        password.encode(),
        salt,
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
        hash_len=hasher.hash_len,
        type=hasher.type,
    ).decode()


def _states(writer: Writer) -> dict[str, MemberState]:
    """The states by code: those already there are used as they are."""
    existing = {s.code: s for s in db.session.scalars(select(MemberState))}
    rows = []
    for (code, name, names, zone, _locales), status in [
        *((s, StateStatus.MEMBER) for s in STATES),
        (OBSERVER, StateStatus.OBSERVER),
    ]:
        if code not in existing:
            rows.append(
                {
                    "id": writer.ids.take(MemberState.__table__),
                    "code": code,
                    "name": name,
                    "names": names,
                    "status": status,
                    "capital_timezone": zone,
                }
            )
    if rows:
        writer.insert(MemberState.__table__, rows)
    return {s.code: s for s in db.session.scalars(select(MemberState))}


def generate_people(
    writer: Writer,
    rng: random.Random,
    *,
    prefix: str,
    groups: int,
    users: int,
    start: datetime,
    password: str,
    seed: int,
) -> People:
    states = _states(writer)
    hashed = password_hash(password, seed)
    # Pools of people: the secretariat and the observer state 4 % each, the
    # rest shared by the member states.
    pools: dict[str | None, list[Person]] = {None: [], OBSERVER[0]: []}
    pools.update({s[0]: [] for s in STATES})
    locales = {s[0]: s[4].split() for s in [*STATES, OBSERVER]}
    zones = {s[0]: s[3] for s in [*STATES, OBSERVER]}
    needed = groups * (COORDINATORS + OBSERVERS + len(DELEGATION) * len(STATES))
    # Each pool must hold a group's share (the secretariat is 1 in 25 people).
    users = max(users, needed, 25 * (COORDINATORS + 1))
    rows = []
    for n in range(users):
        if n % 25 == 0:
            code = None
        elif n % 25 == 1:
            code = OBSERVER[0]
        else:
            code = STATES[n % len(STATES)][0]
        if code is None:
            locale, zone = rng.choice(["en", "tr", "en"]), rng.choice(SECRETARIAT_ZONES)
        else:
            locale = rng.choice(locales[code])
            zone = zones[code] if rng.random() < 0.85 else rng.choice(OTHER_ZONES)
        domain = f"{code.lower()}.example.org" if code else "secretariat.example.org"
        person = Person(
            writer.ids.take(User.__table__),
            states[code].id if code else None,
            zone,
            f"{prefix}-user{n:05d}@{domain}",
        )
        pools[code].append(person)
        rows.append(
            {
                "id": person.id,
                "email": person.email,
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "password_hash": hashed,
                "member_state_id": person.state_id,
                "locale": locale,
                "timezone": zone,
                "digest": rng.choice(DIGESTS),
                "is_admin": n == 0,
                "is_signatory": False,
                "is_active_account": True,
                "session_nonce": f"{rng.getrandbits(96):024x}",
                "created_at": start + timedelta(days=rng.randrange(0, 365)),
            }
        )
    writer.insert(User.__table__, rows)

    result = People(states, [])
    memberships = []
    group_rows = []
    for g in range(groups):
        theme = GROUP_THEMES[g % len(GROUP_THEMES)]
        group = GroupPeople(writer.ids.take(WorkingGroup.__table__), f"{prefix}-{g + 1:03d}")
        group_rows.append(
            {
                "id": group.id,
                "slug": group.slug,
                "name": f"{theme} ({g + 1})" if g >= len(GROUP_THEMES) else theme,
                "mandate": f"Cooperation of the member states on {theme.lower()}.",
                "created_at": start,
            }
        )
        group.coordinators = rng.sample(pools[None][1:], COORDINATORS)
        group.observers = rng.sample(pools[OBSERVER[0]], OBSERVERS)
        for code, *_rest in STATES:
            group.delegations[states[code].id] = rng.sample(pools[code], len(DELEGATION))
        if g == 0:  # the admin coordinates the first group
            group.coordinators[0] = pools[None][0]
        for person in group.coordinators:
            memberships.append((group, person, Role.COORDINATOR, None))
        for state_id, people in group.delegations.items():
            memberships += [
                (group, p, role, state_id) for p, role in zip(people, DELEGATION, strict=True)
            ]
        memberships += [(group, p, Role.OBSERVER, p.state_id) for p in group.observers]
        result.groups.append(group)
    writer.insert(WorkingGroup.__table__, group_rows)
    writer.insert(
        Membership.__table__,
        [
            {
                "id": writer.ids.take(Membership.__table__),
                "group_id": group.id,
                "user_id": person.id,
                "member_state_id": state_id,
                "role": role,
                "since": start + timedelta(days=rng.randrange(0, 400)),
            }
            for group, person, role, state_id in memberships
        ],
    )
    return result
