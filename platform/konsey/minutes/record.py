"""The signed record: a snapshot of everything it shows, frozen at signing.

At signing, ``freeze`` writes the record as canonical JSON — keys sorted,
separators ``,`` and ``:``, no ASCII escaping, encoded as UTF-8 — and its
SHA-256 is the SHA-256 of exactly those bytes. The signed minutes (page,
printable record, API) are shown only from this snapshot, so renaming an
agenda item, editing the meeting, a roster change or a state's new name
never changes what was signed. ``load`` checks the stored text against its
hash every time it is shown.

Format 2 (issue 15) takes the decisions of the signed version (each with
its number in that version, ``number``, and the decision's id) and adds
``version.content_sha256``: the hash of the text and those decisions
(``konsey.minutes.rules.content_sha256``), which is what ``signed_sha256``
stores. Format 1 records (decisions of the whole record, signed_sha256 of
the text alone) still load and verify.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from konsey.minutes import queries, rules
from konsey.models import Minutes, PositionKind, User

FORMAT = 2


canonical = rules.canonical


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def snapshot(minutes: Minutes, signer: User, now: datetime) -> dict:
    """Everything the signed record shows, as plain JSON values."""
    meeting = minutes.meeting
    current = minutes.current
    standing = queries.standing(minutes, with_details=False)
    return {
        "format": FORMAT,
        "group": {"slug": meeting.group.slug, "name": meeting.group.name},
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "number": meeting.number,
            "starts_at": _instant(meeting.starts_at),
            "ends_at": _instant(meeting.ends_at),
            "timezone": meeting.timezone,
            "venue": meeting.venue,
            "online_url": meeting.online_url,
        },
        "version": {
            "number": current.number,
            "text": current.text,
            "sha256": current.sha256,
            "content_sha256": rules.content_sha256(current),
            "created_at": _instant(current.created_at),
        },
        "comment_deadline": _instant(minutes.comment_deadline),
        "silence_procedure": minutes.silence_procedure,
        "agreed_at": _instant(minutes.agreed_at),
        "decisions": [
            {
                "id": d.decision_id,
                "number": d.position,
                "position": d.position,
                "text": d.text,
                "agenda_item": {
                    "id": d.agenda_item.id,
                    "position": d.agenda_item.position,
                    "title": d.agenda_item.title,
                }
                if d.agenda_item
                else None,
            }
            for d in queries.version_decisions(current)
        ],
        "states": [
            {
                "code": s.state.code,
                "name": s.state.name,
                "names": dict(s.state.names or {}),
                "position": s.kind,
                "text": s.position.text if s.position else "",
                "recorded_at": _instant(s.position.recorded_at) if s.position else None,
                "recorded_by": (
                    s.position.recorded_by.name if s.position and s.position.recorded_by else None
                ),
            }
            for s in standing.states
        ],
        "signed_by": {"id": signer.id, "name": signer.name},
        "signed_at": _instant(now),
    }


def freeze(minutes: Minutes, signer: User, now: datetime) -> tuple[str, str]:
    """The canonical text of the signed record and its SHA-256."""
    text = canonical(snapshot(minutes, signer, now))
    return text, sha256_of(text)


# Showing a signed record -----------------------------------------------------------
class RecordedState(SimpleNamespace):
    """A state as the signed record names it (not as it is called today)."""

    def display_name(self, locale: str | None = None) -> str:
        from konsey.place_names import state_name

        return state_name(self.code, self.name, self.names, locale)


def parse_instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class SignedRecord:
    data: dict
    intact: bool  # the stored text still matches its SHA-256
    sha256: str

    @property
    def meeting(self):
        m = self.data["meeting"]
        starts, ends = parse_instant(m["starts_at"]), parse_instant(m["ends_at"])
        return SimpleNamespace(**{**m, "starts_at": starts, "ends_at": ends})

    @property
    def group_name(self) -> str:
        return self.data["group"]["name"]

    @property
    def version(self):
        v = self.data["version"]
        return SimpleNamespace(**{**v, "created_at": parse_instant(v["created_at"])})

    @property
    def format(self) -> int:
        return self.data.get("format", 1)

    @property
    def content_sha256(self) -> str | None:
        """The hash of the signed text and decisions, recomputed from the
        record (format 2); None for a format 1 record (it hashed the text)."""
        if self.format < 2:
            return None
        return rules.content_sha256_of(
            self.data["version"]["text"],
            [
                {
                    "number": d["number"],
                    "agenda_item": d["agenda_item"]["position"] if d["agenda_item"] else None,
                    "text": d["text"],
                }
                for d in self.data["decisions"]
            ],
        )

    @property
    def decisions(self) -> list:
        return [
            SimpleNamespace(
                **{
                    "number": d.get("number", d["position"]),
                    **d,
                    "agenda_item": SimpleNamespace(**d["agenda_item"])
                    if d["agenda_item"]
                    else None,
                }
            )
            for d in self.data["decisions"]
        ]

    @property
    def standing(self) -> queries.Standing:
        states = []
        for s in self.data["states"]:
            position = None
            if s["position"] != "pending":
                by = s["recorded_by"]
                position = SimpleNamespace(
                    position=PositionKind(s["position"]),
                    text=s["text"],
                    recorded_at=parse_instant(s["recorded_at"]),
                    recorded_by=SimpleNamespace(name=by) if by else None,
                )
            state = RecordedState(code=s["code"], name=s["name"], names=s["names"])
            states.append(queries.StatePosition(state=state, position=position, head=None))
        return queries.Standing(states=states)

    @property
    def signed_by_name(self) -> str:
        return self.data["signed_by"]["name"]

    @property
    def signed_at(self) -> datetime:
        return parse_instant(self.data["signed_at"])


def load(minutes: Minutes) -> SignedRecord | None:
    """The stored signed record, checked against its hash (None if unsigned)."""
    if not minutes.signed_record:
        return None
    text = minutes.signed_record
    return SignedRecord(
        data=json.loads(text),
        intact=sha256_of(text) == minutes.signed_record_sha256,
        sha256=minutes.signed_record_sha256 or "",
    )
