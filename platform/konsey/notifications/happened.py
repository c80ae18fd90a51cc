""" "What happened": the audit events of a period as a reader should read them.

Each event is checked against the reader when the digest is composed (the
object must still exist and ``policy`` must let the reader see it now), the
reader's own changes and what an immediate notice already told them are left
out, and repeats fold into one line that names them all ("7 agenda items
added to …: Opening; Adoption of the agenda; …"). Every line says what
changed: the fields of a meeting, an action's old → new status with who and
their reference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from konsey import policy
from konsey.documents import symbols
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    AuditEvent,
    Document,
    Meeting,
    MemberState,
    Minutes,
    NoticeMode,
    Role,
    User,
)
from konsey.notifications import notices
from konsey.notifications.needs import owes
from konsey.notifications.wording import Line, meeting_name, person, state_name, status, when
from konsey.policy import Action

ACTIONS = (
    "meeting.create",
    "meeting.update",
    "meeting.cancel",
    "agenda.add",
    "agenda.update",
    "minutes.circulate",
    "minutes.position",
    "minutes.agreed",
    "minutes.sign",
    "document.create",
    "document.version",
    "document.release",
    "action.create",
    "action.update",
    "action.edit",
)
FIELD_LABELS = {
    "title": _l("title"),
    "number": _l("number"),
    "starts_at": _l("start"),
    "ends_at": _l("end"),
    "timezone": _l("time zone"),
    "venue_city": _l("city"),
    "venue_address": _l("address"),
    "online_url": _l("online link"),
    "status": _l("status"),
}
POSITION_LABELS = {
    "agree": _l("agrees"),
    "reservation": _l("reservation"),
    "silence": _l("agrees by silence"),
}
_MODELS = {
    "meeting": (Meeting, (joinedload(Meeting.group),)),
    "minutes": (Minutes, (joinedload(Minutes.meeting).joinedload(Meeting.group),)),
    "document": (Document, (joinedload(Document.group),)),
    "action_item": (
        ActionItem,
        (
            joinedload(ActionItem.group),
            joinedload(ActionItem.owner_state),
            joinedload(ActionItem.assignee),
        ),
    ),
}


@dataclass
class News:
    """The events of a batch and everything needed to word them."""

    events: list[AuditEvent]
    objects: dict[str, dict[int, object]]
    states: dict[str, MemberState]
    told: set[tuple[int, int]]  # (event id, user id) an immediate notice covered


def load(group_ids, start, end, after: int) -> News:
    """Events of the groups in [start, end) with an id above ``after``, their
    objects (one query per kind), actors and the member states they name."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.group_id.in_(group_ids),
            AuditEvent.id > after,
            AuditEvent.created_at >= start,
            AuditEvent.created_at < end,
            AuditEvent.action.in_(ACTIONS),
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id)
    ).all()
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id and event.object_id.isdigit():
            ids[event.object_type].add(int(event.object_id))
    objects: dict[str, dict[int, object]] = {}
    for kind, (model, options) in _MODELS.items():
        if ids.get(kind):
            query = select(model).where(model.id.in_(ids[kind])).options(*options)
            rows = db.session.scalars(query)
            objects[kind] = {obj.id: obj for obj in rows.unique()}
    states = {}
    if any(e.action == "minutes.position" for e in events):
        states = {s.code: s for s in db.session.scalars(select(MemberState))}
    return News(events, objects, states, told_by_notice(events))


def told_by_notice(events: list[AuditEvent]) -> set[tuple[int, int]]:
    """(event id, user id) of every notice sent at once for these events
    (``konsey.notifications.notices``): the digest does not tell it again.
    Someone whose notices wait for the digest reads the event here."""
    return {
        (notice.event_id, notice.user.id)
        for notice in notices.derive(events)
        if notice.event_id is not None and notice.user.notices == NoticeMode.IMMEDIATELY
    }


def object_of(news: News, event: AuditEvent):
    if not (event.object_id and event.object_id.isdigit()):
        return None
    return news.objects.get(event.object_type, {}).get(int(event.object_id))


def visible(event, obj, user: User, role: Role | None, audience: policy.DocumentAudience) -> bool:
    """May the reader see this news now (not when it happened)?"""
    if obj is None or (role is None and not user.is_admin):
        return False
    if event.actor_id == user.id:
        return False  # one's own changes are not news
    kind = event.action.split(".")[0]
    if kind in ("meeting", "agenda"):
        return policy.can(user, Action.GROUP_VIEW, obj, role=role)
    if kind == "minutes":
        return policy.can(user, Action.MINUTES_VIEW, obj, role=role)
    if kind == "document":
        return audience.admits_news(obj, event.action, event.created_at)
    if kind == "action":
        return policy.can(user, Action.ACTION_VIEW, obj, role=role) and (
            role == Role.COORDINATOR or owes(obj, user, role)
        )
    return False


def fold_key(event: AuditEvent) -> tuple:
    if event.action in ("document.create", "document.release"):
        return (event.group_id, event.action)
    return (event.group_id, event.action, event.object_type, event.object_id)


def for_user(news: News, user: User, roles: dict[int, Role], period, after: int):
    """The reader's folds: {group id: [(fold key, [events])]} in order, and
    the newest event id this digest covers."""
    audience = policy.DocumentAudience.from_roles(user, roles)
    folds: dict[tuple, list[AuditEvent]] = {}
    newest = after
    for event in news.events:
        if event.id <= after or not (period.start <= event.created_at < period.end):
            continue
        if event.group_id not in roles:
            continue
        newest = max(newest, event.id)
        if (event.id, user.id) in news.told:
            continue
        obj = object_of(news, event)
        if visible(event, obj, user, roles.get(event.group_id), audience):
            folds.setdefault(fold_key(event), []).append(event)
    by_group: dict[int, list] = defaultdict(list)
    for key, events in folds.items():
        by_group[key[0]].append((key, events))
    return by_group, newest


def _titles(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def line(news: News, events: list[AuditEvent], reader: User) -> Line:
    """One line for a fold of events of the same kind about the same thing."""
    locale, zone = reader.locale, reader.timezone
    first = events[0]
    obj = object_of(news, events[-1])
    n = len(events)
    action = first.action
    if action.startswith(("meeting.", "agenda.")):
        link = {"endpoint": "meetings.show", "args": {"meeting_id": obj.id}, "meeting": obj}
        name = meeting_name(obj)
        if action == "meeting.create":
            return Line(_("New meeting: %(meeting)s", meeting=name), **link)
        if action == "meeting.cancel":
            return Line(_("Meeting cancelled: %(meeting)s", meeting=name), **link)
        if action == "meeting.update":
            fields = [k for e in events for k in (e.details or {}) if k in FIELD_LABELS]
            changed = ", ".join(str(FIELD_LABELS[k]) for k in dict.fromkeys(fields))
            return Line(
                _("Meeting changed: %(meeting)s", meeting=name),
                _("Changed: %(fields)s.", fields=changed) if changed else "",
                **link,
            )
        titles = _titles((e.details or {}).get("item") for e in events)
        if action == "agenda.add":
            text = ngettext(
                "%(num)d agenda item added to %(meeting)s: %(titles)s",
                "%(num)d agenda items added to %(meeting)s: %(titles)s",
                n,
                meeting=name,
                titles=titles,
            )
        else:
            text = ngettext(
                "%(num)d agenda item changed in %(meeting)s: %(titles)s",
                "%(num)d agenda item changes in %(meeting)s: %(titles)s",
                n,
                meeting=name,
                titles=titles,
            )
        return Line(text, **link)
    if action.startswith("minutes."):
        return _minutes_line(news, events, obj, locale, zone)
    if action.startswith("document."):
        return _document_line(news, events, obj)
    return _action_line(events, obj, locale)


def _minutes_line(news, events, minutes, locale, zone) -> Line:
    link = {"endpoint": "minutes.page", "args": {"meeting_id": minutes.meeting_id}}
    name = meeting_name(minutes.meeting)
    last = events[-1]
    version = (last.details or {}).get("version") or (last.details or {}).get("number") or ""
    if last.action == "minutes.circulate":
        detail = ""
        if minutes.comment_deadline is not None:
            detail = _("Deadline: %(when)s.", when=when(minutes.comment_deadline, zone))
        return Line(
            _(
                "Minutes of %(meeting)s circulated for comments (version %(version)s)",
                meeting=name,
                version=version,
            ),
            detail,
            **link,
        )
    if last.action == "minutes.position":
        said = []
        for event in events:
            details = event.details or {}
            state = state_name(news.states.get(details.get("state")), locale)
            label = POSITION_LABELS.get(details.get("position"), details.get("position"))
            said.append(f"{state}: {label} (v{details.get('version', '')})")
        return Line(
            _("Positions on the minutes of %(meeting)s", meeting=name), "; ".join(said), **link
        )
    if last.action == "minutes.agreed":
        text = _(
            "Minutes of %(meeting)s agreed by all member states (version %(version)s)",
            meeting=name,
            version=version,
        )
        return Line(text, **link)
    text = _("Minutes of %(meeting)s signed (version %(version)s)", meeting=name, version=version)
    return Line(text, **link)


def _document_line(news, events, document) -> Line:
    if events[0].action == "document.release":
        return _release_line(news, events, document)
    if events[0].action == "document.create" and len(events) > 1:
        documents = [object_of(news, e) for e in events]
        text = ngettext(
            "%(num)d new document: %(titles)s",
            "%(num)d new documents: %(titles)s",
            len(events),
            titles=_titles(symbols.label(d) for d in documents),
        )
        return Line(text, endpoint="documents.library", args={"slug": document.group.slug})
    link = {
        "endpoint": "documents.document",
        "args": {"slug": document.group.slug, "document_id": document.id},
    }
    if events[0].action == "document.create":
        return Line(_("New document: %(title)s", title=symbols.label(document)), **link)
    # The singular shows the count too: in Russian its form also serves 21, 31 …
    text = ngettext(
        "%(num)d new version of %(title)s",
        "%(num)d new versions of %(title)s",
        len(events),
        title=symbols.label(document),
    )
    return Line(text, **link)


def _release_line(news, events, document) -> Line:
    """A document released from its embargo reads as a new one to its audience."""
    if len(events) > 1:
        documents = [object_of(news, e) for e in events]
        text = ngettext(
            "%(num)d document released from embargo: %(titles)s",
            "%(num)d documents released from embargo: %(titles)s",
            len(events),
            titles=_titles(d.title for d in documents),
        )
        return Line(text, endpoint="documents.library", args={"slug": document.group.slug})
    return Line(
        _("Released from embargo: %(title)s", title=document.title),
        endpoint="documents.document",
        args={"slug": document.group.slug, "document_id": document.id},
    )


def _action_line(events, item, locale) -> Line:
    link = {"endpoint": "actions.show", "args": {"slug": item.group.slug, "action_id": item.id}}
    if events[0].action == "action.create":
        owner = item.owner_state.display_name(locale) if item.owner_state else item.assignee.name
        return Line(
            _("New action: %(title)s", title=item.title),
            _("Owed by %(owner)s; status: %(status)s.", owner=owner, status=status(item.status)),
            due=item.due_date,
            **link,
        )
    changes = []
    for event in events:
        details = event.details or {}
        old, new = details.get("old"), details.get("new")
        who = person(event.actor, locale)
        if event.action == "action.edit":
            from konsey.actions.labels import FIELD_LABELS as ACTION_FIELDS

            fields = ", ".join(str(ACTION_FIELDS.get(f, f)) for f in details.get("fields", []))
            changes.append(_("%(fields)s changed by %(who)s", fields=fields, who=who))
            continue
        reference = details.get("reference")
        moved = {"old": status(old), "new": status(new)} if old and new and old != new else None
        # Whole sentences, so that each language orders its own parts.
        if moved and reference:
            change = _(
                "%(old)s → %(new)s by %(who)s, reference %(reference)s",
                **moved,
                who=who,
                reference=reference,
            )
        elif moved:
            change = _("%(old)s → %(new)s by %(who)s", **moved, who=who)
        elif reference:
            change = _("comment by %(who)s, reference %(reference)s", who=who, reference=reference)
        else:
            change = _("comment by %(who)s", who=who)
        changes.append(change)
    return Line(_("Action updated: %(title)s", title=item.title), "; ".join(changes), **link)
