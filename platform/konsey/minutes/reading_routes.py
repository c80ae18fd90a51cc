"""Reading the minutes: the diff between two versions, the printable view,
the group's list of minutes (routes of the minutes blueprint)."""

from __future__ import annotations

import re

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey import policy, timefmt
from konsey.groups import queries as group_queries
from konsey.minutes import diff, queries, record
from konsey.minutes.routes import bp, load_minutes
from konsey.policy import Action
from konsey.text import render_markdown
from konsey.web import require

VERSION_ARG_RE = re.compile(r"^[0-9]{1,9}$")


def _version_arg(name: str, default: int | None) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not VERSION_ARG_RE.match(raw):
        abort(400, description=_("Versions are numbered 1, 2, 3…"))
    return int(raw)


@bp.get("/meetings/<int:meeting_id>/minutes/diff")
@login_required
def compare(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    by_number = {v.number: v for v in minutes.versions}
    last = minutes.current.number if minutes.current else None
    new_number = _version_arg("to", last)
    old_number = _version_arg("from", (new_number - 1) if new_number else None)
    old, new = by_number.get(old_number), by_number.get(new_number)
    if len(by_number) < 2 and request.args.get("from") is None:
        old = new = None  # nothing to compare yet: the page says so
    elif old is None or new is None:
        missing = old_number if old is None else new_number
        abort(404, description=_("There is no version %(n)s of these minutes.", n=missing))
    blocks = diff.diff_blocks(old.text, new.text) if old and new else []
    decided = queries.versions_decisions(minutes) if old and new else {}
    changes = (
        diff.diff_decisions(decided.get(old.number, []), decided.get(new.number, []))
        if old and new
        else []
    )
    return render_template(
        "minutes/diff.html",
        meeting=meeting,
        group=meeting.group,
        minutes=minutes,
        old=old,
        new=new,
        blocks=blocks,
        summary=diff.summary(blocks),
        decision_changes=changes,
        user_zone=current_user.timezone,
        show=timefmt.show,
    )


@bp.get("/meetings/<int:meeting_id>/minutes/print")
@login_required
def printable(meeting_id: int):
    meeting, minutes = load_minutes(meeting_id)
    signed = record.load(minutes)  # a signed record shows only what was signed
    return render_template(
        "minutes/print.html",
        meeting=meeting,
        group=meeting.group,
        minutes=minutes,
        record=signed,
        standing=signed.standing if signed else queries.standing(minutes),
        decisions=signed.decisions if signed else queries.decisions(minutes),
        user_zone=current_user.timezone,
        show=timefmt.show,
        render_markdown=render_markdown,
    )


@bp.get("/groups/<slug>/minutes")
@login_required
def group_list(slug: str):
    group = group_queries.get_group(slug)
    if group is None:
        abort(404)
    require(Action.GROUP_VIEW, group)
    role = policy.role_in(current_user, group)
    rows = queries.group_minutes(group)
    return render_template(
        "minutes/group.html",
        group=group,
        rows=rows,
        visible={
            row.meeting.id: policy.can(current_user, Action.MINUTES_VIEW, row.minutes, role=role)
            for row in rows
            if row.minutes is not None
        },
        can_draft=policy.can(current_user, Action.MINUTES_EDIT, group, role=role),
        user_zone=current_user.timezone,
        show=timefmt.show,
    )
