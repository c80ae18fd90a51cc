"""What each notice says, once for its text and its HTML part.

Called while the email is rendered, so it reads in the recipient's language
(``compose`` sets it) and shows times in the recipient's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from konsey import timefmt
from konsey.actions.labels import PRIORITY_LABELS, STATUS_LABELS
from konsey.notifications import notices as n


@dataclass
class Content:
    lead: list[str] = field(default_factory=list)  # paragraphs
    quote: str = ""  # a reservation, a comment, a note: the other person's words
    facts: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute URL)


def _url(endpoint: str, anchor: str | None = None, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, _anchor=anchor, **values)


def _state_name(state) -> str:
    return state.display_name(str(get_locale())) if state is not None else ""


def _person(user) -> str:
    if user is None:
        return _("a former member")
    if user.member_state is not None:
        return f"{user.name} ({_state_name(user.member_state)})"
    return user.name


def content(notice: n.Notice) -> Content:
    return _BUILDERS[notice.kind](notice, notice.user, notice.context)


def _minutes_facts(c: Content, user, minutes, version) -> None:
    meeting = minutes.meeting
    c.facts.append((_("Working group"), meeting.group.name))
    c.facts.append((_("Meeting"), meeting.title))
    c.facts.append((_("Version"), str(version.number)))
    if minutes.comment_deadline is not None:
        c.facts.append((_("Deadline"), timefmt.show(minutes.comment_deadline, user.timezone)))


def _silence(minutes, user) -> str:
    state = _state_name(user.member_state)
    if minutes.silence_procedure:
        return _(
            "Silence procedure: if %(state)s records no position by the deadline, it is "
            "counted as agreeing.",
            state=state,
        )
    return _(
        "No silence procedure: the minutes are agreed only when every participating state, "
        "%(state)s included, has agreed.",
        state=state,
    )


def _position_link(c: Content, minutes) -> None:
    c.links.append(
        (
            _("Record your state's position"),
            _url("minutes.page", "position", meeting_id=minutes.meeting_id),
        )
    )


def _position_needed(notice, user, ctx) -> Content:
    minutes, version = ctx["minutes"], ctx["version"]
    c = Content()
    c.lead.append(
        _(
            "The minutes of %(meeting)s (version %(n)d) are circulated: the position of "
            "%(state)s is needed.",
            meeting=minutes.meeting.title,
            n=version.number,
            state=_state_name(user.member_state),
        )
    )
    c.lead.append(_silence(minutes, user))
    _minutes_facts(c, user, minutes, version)
    _position_link(c, minutes)
    return c


def _position_reset(notice, user, ctx) -> Content:
    minutes, version, previous, position = (
        ctx["minutes"], ctx["version"], ctx["previous"], ctx["position"]
    )  # fmt: skip
    c = Content()
    if position.position.value == "reservation":
        lead = _(
            "Your state's reservation on version %(old)d no longer counts: version %(new)d "
            "replaced it.",
            old=previous.number,
            new=version.number,
        )
    else:
        lead = _(
            "Your state's agreement on version %(old)d no longer counts: version %(new)d "
            "replaced it.",
            old=previous.number,
            new=version.number,
        )
    c.lead.append(lead)
    c.lead.append(
        _("Read what changed and record your state's position on version %(n)d.", n=version.number)
    )
    c.lead.append(_silence(minutes, user))
    if version.note:
        c.lead.append(_("The coordinator's note on the change:"))
        c.quote = version.note
    _minutes_facts(c, user, minutes, version)
    c.links.append(
        (
            _("What changed (version %(old)d → %(new)d)", old=previous.number, new=version.number),
            _url(
                "minutes.compare",
                meeting_id=minutes.meeting_id,
                **{"from": previous.number, "to": version.number},
            ),
        )
    )
    _position_link(c, minutes)
    return c


def _reservation(notice, user, ctx) -> Content:
    minutes, version, position = ctx["minutes"], ctx["version"], ctx["position"]
    c = Content()
    c.lead.append(
        _(
            "%(state)s entered a reservation on version %(n)d of the minutes of %(meeting)s:",
            state=_state_name(position.member_state),
            n=version.number,
            meeting=minutes.meeting.title,
        )
    )
    c.quote = position.text
    _minutes_facts(c, user, minutes, version)
    c.links.append(
        (_("Open the minutes"), _url("minutes.page", "positions-h", meeting_id=minutes.meeting_id))
    )
    return c


def _comment(notice, user, ctx) -> Content:
    minutes, version, comment = ctx["minutes"], ctx["version"], ctx["comment"]
    c = Content()
    c.lead.append(
        _(
            "%(who)s commented on version %(n)d of the minutes of %(meeting)s:",
            who=_person(comment.user),
            n=version.number,
            meeting=minutes.meeting.title,
        )
    )
    c.quote = comment.text
    _minutes_facts(c, user, minutes, version)
    c.links.append((_("Open the minutes"), _url("minutes.page", meeting_id=minutes.meeting_id)))
    return c


def _agreed(notice, user, ctx) -> Content:
    minutes, version = ctx["minutes"], ctx["version"]
    c = Content()
    c.lead.append(
        _(
            "Every participating member state agreed to version %(n)d of the minutes of "
            "%(meeting)s. The minutes are ready to sign.",
            n=version.number,
            meeting=minutes.meeting.title,
        )
    )
    _minutes_facts(c, user, minutes, version)
    c.links.append(
        (_("Sign the minutes"), _url("minutes.page", "sign", meeting_id=minutes.meeting_id))
    )
    return c


def _deadline_soon(notice, user, ctx) -> Content:
    minutes, version = ctx["minutes"], ctx["version"]
    c = Content()
    c.lead.append(
        _(
            "%(state)s has recorded no position yet on version %(n)d of the minutes of "
            "%(meeting)s, and the deadline is %(deadline)s.",
            state=_state_name(user.member_state),
            n=version.number,
            meeting=minutes.meeting.title,
            deadline=timefmt.show(minutes.comment_deadline, user.timezone),
        )
    )
    c.lead.append(_silence(minutes, user))
    _minutes_facts(c, user, minutes, version)
    _position_link(c, minutes)
    return c


def _action_facts(c: Content, item) -> None:
    c.facts.append((_("Working group"), item.group.name))
    owner = item.assignee.name if item.assignee else _state_name(item.owner_state)
    c.facts.append((_("Owner"), owner))
    c.facts.append(
        (
            _("Due"),
            _(
                "%(date)s (in %(zone)s)",
                date=format_date(item.due_date, "long"),
                zone=item.owner_timezone,
            ),
        )
    )
    c.facts.append((_("Priority"), str(PRIORITY_LABELS[item.priority])))
    c.facts.append((_("Status"), str(STATUS_LABELS[item.status])))
    source = _source(item)
    if source:
        c.facts.append((_("Source"), source))


def _source(item) -> str:
    if item.decision is not None:
        return _(
            "Decision %(n)d of %(meeting)s",
            n=item.decision.position,
            meeting=item.meeting.title if item.meeting else "",
        )
    if item.agenda_item is not None:
        return _(
            "Agenda item %(n)d of %(meeting)s: %(title)s",
            n=item.agenda_item.position,
            meeting=item.agenda_item.meeting.title,
            title=item.agenda_item.title,
        )
    if item.meeting is not None:
        return item.meeting.title
    return ""


def _action_link(c: Content, item, label: str) -> None:
    c.links.append((label, _url("actions.show", slug=item.group.slug, action_id=item.id)))


def _assigned(notice, user, ctx) -> Content:
    item = ctx["item"]
    c = Content()
    if item.assignee_id == user.id:
        c.lead.append(_("An action is assigned to you: %(title)s", title=item.title))
    else:
        c.lead.append(
            _(
                "An action is assigned to %(state)s: %(title)s",
                state=_state_name(item.owner_state),
                title=item.title,
            )
        )
    c.quote = item.description
    _action_facts(c, item)
    _action_link(c, item, _("Open the action"))
    return c


def _update_facts(c: Content, update) -> None:
    if update.reference:
        c.facts.append((_("Reference"), update.reference))
    if update.document_id:
        c.links.append(
            (
                _("Evidence (document)"),
                _url(
                    "documents.document",
                    slug=update.action.group.slug,
                    document_id=update.document_id,
                ),
            )
        )


def _reported(notice, user, ctx) -> Content:
    item, update = ctx["item"], ctx["update"]
    c = Content()
    c.lead.append(
        _(
            "%(who)s reported this action done: %(title)s",
            who=_person(update.user),
            title=item.title,
        )
    )
    c.quote = update.comment
    _update_facts(c, update)
    _action_facts(c, item)
    _action_link(c, item, _("Acknowledge or send back"))
    return c


def _returned(notice, user, ctx) -> Content:
    item, update = ctx["item"], ctx["update"]
    c = Content()
    c.lead.append(
        _(
            "%(who)s sent this action back to you (it is %(status)s again): %(title)s",
            who=_person(update.user),
            status=str(STATUS_LABELS[update.new_status]),
            title=item.title,
        )
    )
    c.quote = update.comment
    _update_facts(c, update)
    _action_facts(c, item)
    _action_link(c, item, _("Open the action"))
    return c


_BUILDERS = {
    n.POSITION_NEEDED: _position_needed,
    n.POSITION_RESET: _position_reset,
    n.RESERVATION: _reservation,
    n.COMMENT: _comment,
    n.AGREED: _agreed,
    n.DEADLINE_SOON: _deadline_soon,
    n.ASSIGNED: _assigned,
    n.REPORTED: _reported,
    n.RETURNED: _returned,
}
