"""The choices of the action forms, read from the database (a few queries each)."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from konsey.actions.forms import ActionForm, EditForm, ReportForm
from konsey.actions.labels import agenda_item_label
from konsey.documents.forms import VISIBILITY_LABELS, language_choices
from konsey.extensions import db
from konsey.models import (
    AgendaItem,
    Decision,
    Document,
    Meeting,
    Membership,
    MemberState,
    Minutes,
    Role,
    StateStatus,
    User,
)


def action_form(group, decision=None, item=None) -> ActionForm:
    """The new-action form with its lists; filled in from ``decision`` on a
    GET; with ``item``, the edit form, filled in from the item on a GET."""
    form = EditForm() if item is not None else ActionForm()
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
        (i.id, f"{i[3]}: {agenda_item_label(i)}") for i in items
    ]
    decisions = db.session.execute(
        select(Decision.id, Decision.position, Meeting.title)
        .join(Minutes, Minutes.id == Decision.minutes_id)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Meeting.group_id == group.id)
        .order_by(Meeting.starts_at.desc(), Decision.position)
    ).all()
    form.decision.choices = [(0, _("— none —"))] + [
        (d.id, f"{d.title}: {_('decision %(n)d', n=d.position)}") for d in decisions
    ]
    if decision is not None and request.method == "GET":
        form.title.data = decision.text.strip().splitlines()[0][:200] if decision.text else ""
        form.description.data = decision.text
        form.meeting.data = decision.minutes.meeting_id
        form.agenda_item.data = decision.agenda_item_id or 0
        form.decision.data = decision.id
    if item is not None and request.method == "GET":
        form.title.data = item.title
        form.description.data = item.description
        form.owner_state.data = item.owner_state_id or 0
        form.assignee.data = item.assignee_id or 0
        form.due_date.data = item.due_date
        form.priority.data = item.priority.value
        form.meeting.data = item.meeting_id or 0
        form.agenda_item.data = item.agenda_item_id or 0
        form.decision.data = item.decision_id or 0
    return form


def report_form(user) -> ReportForm:
    form = ReportForm(prefix="report")
    form.visibility.choices = [(k.value, str(v)) for k, v in VISIBILITY_LABELS.items()]
    form.language.choices = language_choices()
    if request.method == "GET" or not form.language.data:
        codes = [c for c, _label in form.language.choices]
        form.language.data = user.locale if user.locale in codes else (codes or [""])[0]
    return form


def document_choices(form, item) -> None:
    """The group's documents that an update may attach: those the user may
    read (an embargoed paper's title is not offered to other delegations)."""
    from flask_login import current_user

    from konsey.policy import DocumentAudience

    documents = db.session.execute(
        select(Document.id, Document.title)
        .where(
            Document.group_id == item.group_id,
            DocumentAudience.of(current_user).condition(),
        )
        .order_by(Document.title)
    ).all()
    form.document.choices = [(0, _("— none —"))] + [(d.id, d.title) for d in documents]
