"""The choices of the action forms, read from the database (a few queries each)."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from konsey.actions.forms import ActionForm
from konsey.extensions import db
from konsey.models import (
    AgendaItem,
    Document,
    Meeting,
    Membership,
    MemberState,
    Role,
    StateStatus,
    User,
)


def action_form(group, decision=None) -> ActionForm:
    """The new-action form with its lists; filled in from ``decision`` on a GET."""
    form = ActionForm()
    states = db.session.scalars(
        select(MemberState)
        .where(MemberState.status == StateStatus.MEMBER)
        .order_by(MemberState.name)
    ).all()
    locale = str(get_locale())
    form.owner_state.choices = [(0, _("— none —"))] + [
        (s.id, f"{s.code} · {s.display_name(locale)}") for s in states
    ]
    people = db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.group_id == group.id,
            Membership.role != Role.OBSERVER,
            User.is_active_account.is_(True),
        )
        .order_by(User.name)
    ).scalars()
    form.assignee.choices = [(0, _("— none —"))] + [
        (u.id, u.name + (f" · {u.member_state.code}" if u.member_state else "")) for u in people
    ]
    meetings = db.session.execute(
        select(Meeting.id, Meeting.title)
        .where(Meeting.group_id == group.id)
        .order_by(Meeting.starts_at.desc())
    ).all()
    form.meeting.choices = [(0, _("— none —"))] + [(m.id, m.title) for m in meetings]
    items = db.session.execute(
        select(AgendaItem.id, AgendaItem.position, AgendaItem.title, Meeting.title)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.group_id == group.id)
        .order_by(Meeting.starts_at.desc(), AgendaItem.position)
    ).all()
    form.agenda_item.choices = [(0, _("— none —"))] + [
        (i.id, f"{i[3]}: {i.position}. {i.title}") for i in items
    ]
    if decision is not None and request.method == "GET":
        form.title.data = decision.text.strip().splitlines()[0][:200] if decision.text else ""
        form.description.data = decision.text
        form.meeting.data = decision.minutes.meeting_id
        form.agenda_item.data = decision.agenda_item_id or 0
    return form


def document_choices(form, item) -> None:
    """The group's documents (not deleted) that an update may attach."""
    documents = db.session.execute(
        select(Document.id, Document.title)
        .where(Document.group_id == item.group_id, Document.deleted_at.is_(None))
        .order_by(Document.title)
    ).all()
    form.document.choices = [(0, _("— none —"))] + [(d.id, d.title) for d in documents]
