"""The decisions a version of the minutes records.

A version's decisions are given as a list of rows (an existing decision of
the current version by its id, or a new one), checked by ``check_rows``
and written by ``write`` — the one function that writes a version's
decisions and the decision rows' latest wording (text, position, agenda
item, removed_in_version), so other areas can read those cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.minutes.rules import MAX_DECISION, MAX_DECISIONS, normalise
from konsey.models import AgendaItem, Decision, Minutes, MinutesVersion, VersionDecision
from konsey.validation import check_text

DB_INT = 2**31


@dataclass(frozen=True)
class DecisionRow:
    """One decision as a version is to record it."""

    decision_id: int | None  # None: a new decision
    text: str
    agenda_item_id: int | None = None
    field: str = "decisions"  # the form field an error belongs to


def rows_of(version: MinutesVersion | None) -> list[DecisionRow]:
    """The decisions a version records, as rows (to carry them unchanged)."""
    if version is None:
        return []
    return [DecisionRow(d.decision_id, d.text, d.agenda_item_id) for d in version.decisions]


def same(version: MinutesVersion | None, rows: list[DecisionRow]) -> bool:
    """True when the rows record exactly what the version records."""
    key = [(r.decision_id, r.text, r.agenda_item_id) for r in rows]
    return key == [(r.decision_id, r.text, r.agenda_item_id) for r in rows_of(version)]


def check_rows(
    meeting_id: int, current: MinutesVersion | None, rows: list[DecisionRow]
) -> list[DecisionRow]:
    """Checked, normalised rows, or a ValidationError naming the row's field.

    An existing decision must be one the current version records (once);
    an agenda item must be one of this meeting's."""
    if len(rows) > MAX_DECISIONS:
        raise ValidationError(
            _("At most %(n)d decisions in one version.", n=MAX_DECISIONS), "decisions"
        )
    known = {d.decision_id for d in current.decisions} if current is not None else set()
    item_ids = {r.agenda_item_id for r in rows if r.agenda_item_id}
    items = {}
    wanted = {i for i in item_ids if isinstance(i, int) and 0 < i < DB_INT}
    if wanted:
        items = {
            item.id: item
            for item in db.session.scalars(select(AgendaItem).where(AgendaItem.id.in_(wanted)))
        }
    checked, seen = [], set()
    for row in rows:
        text = check_text(normalise(row.text), row.field, max_length=MAX_DECISION)
        if row.decision_id is not None:
            if row.decision_id not in known or row.decision_id in seen:
                raise ValidationError(
                    _("Not a decision of the current version of these minutes."), row.field
                )
            seen.add(row.decision_id)
        item_id = row.agenda_item_id or None
        if item_id is not None:
            item = items.get(item_id)
            if item is None or meeting_id is None or item.meeting_id != meeting_id:
                raise ValidationError(
                    _("Choose an agenda item of this meeting, or none."), row.field
                )
        checked.append(DecisionRow(row.decision_id, text, item_id, row.field))
    return checked


def write(
    minutes: Minutes, version: MinutesVersion, rows: list[DecisionRow], *, now: datetime
) -> list[Decision]:
    """Make ``version`` record exactly ``rows`` (checked), in their order,
    and bring each decision's latest wording up to date. A decision of the
    record that ``version`` no longer carries is marked removed in it.
    Returns the decisions the version records. Not committed."""
    decisions = (
        {
            d.id: d
            for d in db.session.scalars(select(Decision).where(Decision.minutes_id == minutes.id))
        }
        if minutes.id is not None
        else {}
    )
    existing = {vd.decision_id: vd for vd in version.decisions}
    carried: list[Decision] = []
    for number, row in enumerate(rows, start=1):
        decision = decisions.get(row.decision_id) if row.decision_id else None
        if decision is None:
            decision = Decision(minutes=minutes, created_at=now, position=number, text=row.text)
            db.session.add(decision)
        decision.text = row.text
        decision.position = number
        decision.agenda_item_id = row.agenda_item_id
        decision.removed_in_version = None
        entry = existing.pop(decision.id, None) if decision.id is not None else None
        if entry is None:
            entry = VersionDecision(decision=decision)
            version.decisions.append(entry)
        entry.position = number
        entry.text = row.text
        entry.agenda_item_id = row.agenda_item_id
        carried.append(decision)
    for entry in existing.values():
        version.decisions.remove(entry)
    kept = {id(d) for d in carried}
    for decision in decisions.values():
        if id(decision) not in kept and decision.removed_in_version is None:
            decision.removed_in_version = version.number
    version.decisions.sort(key=lambda vd: vd.position)
    return carried
