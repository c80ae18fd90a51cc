"""Meetings with agendas and attendance, and minutes in every status, for the generator."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from konsey.models import (
    AgendaItem,
    Decision,
    Meeting,
    MeetingParticipant,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesPosition,
    MinutesStatus,
    MinutesVersion,
    PositionKind,
    VersionDecision,
)
from konsey.scale.bulk import Writer
from konsey.scale.people import GroupPeople

VENUES = [
    ("Baku", "Asia/Baku"),
    ("Astana", "Asia/Almaty"),
    ("Bishkek", "Asia/Bishkek"),
    ("Istanbul", "Europe/Istanbul"),
    ("Tashkent", "Asia/Tashkent"),
    ("Ashgabat", "Asia/Ashgabat"),
    ("", "Europe/Istanbul"),  # online
]
ITEM_TITLES = [
    "Opening of the meeting",
    "Adoption of the agenda",
    "Review of previous decisions and open actions",
    "Progress reports of the member states",
    "Draft work plan for the next period",
    "Joint projects: state of play",
    "Exchange of national experience",
    "Capacity building and training",
    "Cooperation with international organisations",
    "Date and place of the next meeting",
    "Any other business",
    "Closing of the meeting",
]
ORDINALS = {1: "st", 2: "nd", 3: "rd"}


@dataclass
class GroupMeetings:
    # (meeting id, agenda item ids) of the meetings that were held
    held: list[tuple[int, list[int]]] = field(default_factory=list)
    all_items: list[int] = field(default_factory=list)
    decisions: list[tuple[int, int]] = field(default_factory=list)  # (decision, meeting)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINALS.get(n % 10, "th")
    return f"{n}{suffix} Meeting"


def _local(day: datetime, hour: int, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def generate_meetings(
    writer: Writer,
    rng: random.Random,
    group: GroupPeople,
    *,
    meetings: int,
    agenda_items: int,
    today: datetime,
) -> GroupMeetings:
    out = GroupMeetings()
    rows, items, attendance = [], [], []
    future = max(1, meetings // 10)
    past = meetings - future
    delegates = group.delegates
    for k in range(meetings):
        meeting_id = writer.ids.take(Meeting.__table__)
        city, zone = rng.choice(VENUES)
        if k < past:
            day = today - timedelta(days=(past - k) * 45 + rng.randrange(0, 10))
            status = MeetingStatus.CANCELLED if k % 9 == 4 else MeetingStatus.HELD
        else:
            day = today + timedelta(days=(k - past + 1) * 30)
            status = MeetingStatus.PLANNED
        undated = k >= past and k >= meetings - 2 and future >= 3
        starts = None if undated else _local(day, 10, zone)
        rows.append(
            {
                "id": meeting_id,
                "group_id": group.id,
                "title": f"Meeting of the working group ({day.year})",
                "number": _ordinal(k + 1),
                "starts_at": starts,
                "ends_at": None if undated else _local(day + timedelta(days=k % 2), 17, zone),
                "timezone": zone,
                "venue_city": city,
                "venue_address": "Conference centre" if city else "",
                "online_url": "" if city else "https://meet.example.org/wg",
                "status": status,
                "ical_uid": f"gen-{meeting_id}-{rng.getrandbits(64):016x}@konsey",
                "sequence": rng.randrange(0, 4),
                "created_by_id": group.coordinators[0].id,
                "created_at": _local(day - timedelta(days=60), 9, "UTC"),
                "updated_at": _local(day - timedelta(days=10), 9, "UTC"),
            }
        )
        item_ids = []
        for position in range(1, agenda_items + 1):
            item_id = writer.ids.take(AgendaItem.__table__)
            item_ids.append(item_id)
            lead = rng.choice(delegates) if rng.random() < 0.4 else None
            items.append(
                {
                    "id": item_id,
                    "meeting_id": meeting_id,
                    "position": position,
                    "title": ITEM_TITLES[(position - 1) % len(ITEM_TITLES)],
                    "description": f"Presented by the delegation. See **document {k}-{position}**."
                    if position % 3
                    else "",
                    "lead_state_id": lead.state_id if lead else None,
                    "lead_user_id": lead.id if lead and rng.random() < 0.5 else None,
                    "duration_minutes": rng.choice([15, 30, 45, 60]),
                    "outcome": "Taken note of; the working group agreed to proceed."
                    if status == MeetingStatus.HELD
                    else "",
                    "is_review": position == 3,
                }
            )
        out.all_items += item_ids
        if status == MeetingStatus.CANCELLED:
            continue
        if status == MeetingStatus.HELD:
            out.held.append((meeting_id, item_ids))
        came = rng.sample(delegates, min(len(delegates), 18 if starts and k < past else 10))
        for person in came:
            attendance.append(
                {
                    "id": writer.ids.take(MeetingParticipant.__table__),
                    "meeting_id": meeting_id,
                    "user_id": person.id,
                    "member_state_id": person.state_id,
                    "name": "",
                    "title": "",
                    "organisation": "",
                    "email": "",
                    "is_head": False,
                    "accreditation_reference": "",
                    "accreditation_date": None,
                    "registered": True,
                    "registered_by_id": person.id,
                    "registered_at": _local(day - timedelta(days=5), 12, "UTC"),
                    "confirmed_by_id": None,
                    "confirmed_at": None,
                    "attended": True if k < past else None,
                    "attendance_recorded_by_id": None,
                    "attendance_recorded_at": _local(day, 18, "UTC") if k < past else None,
                    "updated_at": _local(day - timedelta(days=5), 12, "UTC"),
                }
            )
    writer.insert(Meeting.__table__, rows)
    writer.insert(AgendaItem.__table__, items)
    writer.insert(MeetingParticipant.__table__, attendance)
    _minutes(writer, rng, group, out, today)
    return out


# Minutes ---------------------------------------------------------------------------
# The newest held meetings first: a draft, two circulated (one under the silence
# procedure), one agreed, then signed ones.
STATUS_BY_AGE = [
    MinutesStatus.DRAFT,
    MinutesStatus.CIRCULATED,
    MinutesStatus.CIRCULATED,
    MinutesStatus.AGREED,
]


def _text(meeting_id: int, version: int) -> str:
    lines = [f"# Minutes of meeting {meeting_id}", "", f"Version {version}.", ""]
    lines += [f"{n}. The working group discussed item {n}." for n in range(1, 6)]
    return "\n".join(lines) + "\n"


def _minutes(writer, rng, group: GroupPeople, meetings: GroupMeetings, today) -> None:
    tables = {
        t: []
        for t in (
            Minutes,
            MinutesVersion,
            MinutesPosition,
            MinutesComment,
            Decision,
            VersionDecision,
        )
    }
    heads = {state: people[0] for state, people in group.delegations.items()}
    coordinator = group.coordinators[0].id
    for age, (meeting_id, item_ids) in enumerate(reversed(meetings.held)):
        status = STATUS_BY_AGE[age] if age < len(STATUS_BY_AGE) else MinutesStatus.SIGNED
        base = today - timedelta(days=30 * (age + 1))
        minutes_id = writer.ids.take(Minutes.__table__)
        count = 1 if status == MinutesStatus.DRAFT else 2 if age < 3 else rng.randint(1, 3)
        done = status in (MinutesStatus.AGREED, MinutesStatus.SIGNED)
        silence = age == 2 or (done and age % 5 == 0)
        versions = []
        for number in range(1, count + 1):
            text = _text(meeting_id, number)
            version_id = writer.ids.take(MinutesVersion.__table__)
            versions.append(version_id)
            tables[MinutesVersion].append(
                {
                    "id": version_id,
                    "minutes_id": minutes_id,
                    "number": number,
                    "text": text,
                    "sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "note": "" if number == 1 else "Comments of the delegations taken in.",
                    "created_by_id": coordinator,
                    "created_at": base + timedelta(days=number),
                }
            )
        final_text = _text(meeting_id, count)
        tables[Minutes].append(
            {
                "id": minutes_id,
                "meeting_id": meeting_id,
                "status": status,
                "comment_deadline": None
                if status == MinutesStatus.DRAFT
                else (today + timedelta(days=7) if not done else base + timedelta(days=10)),
                "silence_procedure": silence,
                "circulated_at": None if status == MinutesStatus.DRAFT else base,
                "agreed_at": base + timedelta(days=12) if done else None,
                "signed_at": base + timedelta(days=14) if status == MinutesStatus.SIGNED else None,
                "signed_by_id": coordinator if status == MinutesStatus.SIGNED else None,
                "signed_sha256": hashlib.sha256(final_text.encode()).hexdigest()
                if status == MinutesStatus.SIGNED
                else None,
            }
        )
        if status == MinutesStatus.DRAFT:
            continue
        for n, (state, head) in enumerate(sorted(heads.items())):
            for version_id in versions:
                current = version_id == versions[-1]
                if current and not done and n % 3 == 2:
                    continue  # not yet heard from
                kind = PositionKind.AGREE
                if not current or (not done and n % 3 == 1):
                    kind = PositionKind.RESERVATION if n % 2 else PositionKind.AGREE
                silent = done and silence and current and n == 0
                tables[MinutesPosition].append(
                    {
                        "id": writer.ids.take(MinutesPosition.__table__),
                        "version_id": version_id,
                        "member_state_id": state,
                        "position": PositionKind.SILENCE if silent else kind,
                        "text": "Paragraph 3 needs rewording."
                        if kind == PositionKind.RESERVATION
                        else "",
                        "recorded_by_id": None if silent else head.id,
                        "recorded_at": base + timedelta(days=5),
                    }
                )
        for c in range(2):
            tables[MinutesComment].append(
                {
                    "id": writer.ids.take(MinutesComment.__table__),
                    "version_id": versions[-1],
                    "user_id": rng.choice(group.delegates).id,
                    "text": f"Comment {c + 1}: please add our delegation's remarks.",
                    "created_at": base + timedelta(days=3),
                }
            )
        for position in range(1, 4):
            decision_id = writer.ids.take(Decision.__table__)
            meetings.decisions.append((decision_id, meeting_id))
            row = {
                "id": decision_id,
                "minutes_id": minutes_id,
                "agenda_item_id": rng.choice(item_ids) if item_ids else None,
                "position": position,
                "text": f"The working group decided on point {position}.",
                "created_at": base + timedelta(days=2),
                "removed_in_version": None,
            }
            tables[Decision].append(row)
            for version_id in versions:  # every version records it
                tables[VersionDecision].append(
                    {
                        "id": writer.ids.take(VersionDecision.__table__),
                        "version_id": version_id,
                        "decision_id": decision_id,
                        "position": position,
                        "text": row["text"],
                        "agenda_item_id": row["agenda_item_id"],
                    }
                )
    for model, rows in tables.items():
        writer.insert(model.__table__, rows)
