"""How the lines of a briefing read, in the reader's language and zone.

Called inside ``force_locale(reader.locale)``: every string is translated
when the line is made, so one batch can word the same news in three languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from konsey import timefmt
from konsey.actions.labels import STATUS_LABELS
from konsey.models import Meeting, MemberState, User
from konsey.notifications.needs import Need

EXCERPT = 200  # characters of a reservation's text quoted in the digest


@dataclass
class Line:
    """One line of the digest: a sentence, what changed, where to look."""

    headline: str
    detail: str = ""
    endpoint: str | None = None
    args: dict | None = None
    meeting: Meeting | None = None  # shown with its date, venue time and the reader's
    due: date | None = None  # (kept for the "immediately" notices' items)
    overdue: bool = False


def meeting_name(meeting: Meeting) -> str:
    from konsey.meetings.display import name_in_sentence

    return name_in_sentence(meeting)


def state_name(state: MemberState | None, locale: str) -> str:
    return state.display_name(locale) if state is not None else _("Secretariat")


def person(user: User | None, locale: str) -> str:
    """ "Nurlan Head (Kazakhstan)": a name and the delegation it speaks for."""
    if user is None:
        return _("the system")
    return f"{user.name} ({state_name(user.member_state, locale)})"


def day(value: date) -> str:
    return format_date(value, "long")


def status(value) -> str:
    label = STATUS_LABELS.get(value)
    return str(label) if label is not None else str(value)


def excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _minutes_link(minutes) -> dict:
    return {"endpoint": "minutes.page", "args": {"meeting_id": minutes.meeting_id}}


def _action_link(item) -> dict:
    return {"endpoint": "actions.show", "args": {"slug": item.group.slug, "action_id": item.id}}


def need_line(need: Need, reader: User) -> Line:
    locale, zone = reader.locale, reader.timezone
    obj = need.obj
    if need.kind == "position":
        state = state_name(reader.member_state, locale)
        headline = _(
            "Record the position of %(state)s on the minutes of %(meeting)s (version %(version)d)",
            state=state,
            meeting=meeting_name(obj.meeting),
            version=need.version,
        )
        parts = []
        if obj.comment_deadline is not None:
            parts.append(_("Deadline: %(when)s.", when=timefmt.show(obj.comment_deadline, zone)))
        if obj.silence_procedure:
            parts.append(
                _(
                    "Silence procedure: if %(state)s raises no reservation by the deadline, "
                    "it is taken to agree.",
                    state=state,
                )
            )
        else:
            parts.append(_("No silence procedure: silence does not count as agreement."))
        return Line(headline, " ".join(parts), **_minutes_link(obj))
    if need.kind == "action":
        owner = obj.owner_state.display_name(locale) if obj.owner_state else obj.assignee.name
        due = day(obj.due_date)
        if need.overdue:
            headline = _("Overdue since %(date)s: %(title)s", date=due, title=obj.title)
        else:
            headline = _("Due %(date)s: %(title)s", date=due, title=obj.title)
        detail = _("Owed by %(owner)s; status: %(status)s.", owner=owner, status=status(obj.status))
        return Line(headline, detail, overdue=need.overdue, **_action_link(obj))
    if need.kind == "acknowledge":
        update = need.extra["update"]
        detail = _(
            "Reported done by %(person)s on %(date)s.",
            person=person(update.user, locale),
            date=day(timefmt.local(update.created_at, zone).date()),
        )
        if update.reference:
            detail += " " + _("Reference: %(reference)s.", reference=update.reference)
        return Line(_("Acknowledge: %(title)s", title=obj.title), detail, **_action_link(obj))
    if need.kind == "reservation":
        position = need.extra["position"]
        headline = _(
            "Reservation of %(state)s on the minutes of %(meeting)s (version %(version)d)",
            state=state_name(position.member_state, locale),
            meeting=meeting_name(obj.meeting),
            version=need.version,
        )
        detail = excerpt(position.text)
        if obj.comment_deadline is not None:
            deadline = _("Deadline: %(when)s.", when=timefmt.show(obj.comment_deadline, zone))
            detail = f"{detail} {deadline}".strip()
        return Line(headline, detail, **_minutes_link(obj))
    # sign
    headline = _(
        "Sign the agreed minutes of %(meeting)s (version %(version)d)",
        meeting=meeting_name(obj.meeting),
        version=need.version,
    )
    detail = ""
    if obj.agreed_at is not None:
        detail = _("Agreed on %(date)s.", date=day(timefmt.local(obj.agreed_at, zone).date()))
    return Line(headline, detail, **_minutes_link(obj))


def subject(needs: int, updates: int) -> str:
    need_part = ngettext("%(num)d needs you", "%(num)d need you", needs)
    update_part = ngettext("%(num)d update", "%(num)d updates", updates)
    if needs and updates:
        return _("Konsey briefing: %(needs)s, %(updates)s", needs=need_part, updates=update_part)
    if needs:
        return _("Konsey briefing: %(needs)s", needs=need_part)
    return _("Konsey briefing: %(updates)s", updates=update_part)


def when(instant: datetime, zone: str) -> str:
    return timefmt.show(instant, zone)
