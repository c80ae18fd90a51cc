"""Calendars: a meeting's .ics, and each user's private feed (no session needed)."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey.meetings import calendar, queries
from konsey.meetings.forms import ConfirmForm
from konsey.meetings.routes import bp, load_meeting
from konsey.policy import Action
from konsey.web import current_actor


def absolute(path: str) -> str:
    """An address for calendar programs: the public base URL, as in emails."""
    return current_app.config["BASE_URL"] + path


def meeting_url(meeting) -> str:
    return absolute(url_for("meetings.show", meeting_id=meeting.id))


def ics_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = calendar.MEDIA_TYPE
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def meeting_ics(meeting) -> Response:
    """The meeting's .ics; 404 (with a reason) while its date is not yet known."""
    if meeting.starts_at is None:
        abort(404, description=_("This meeting has no date yet, so it has no calendar entry."))
    return ics_response(
        calendar.calendar_for([meeting], meeting_url), filename=calendar.filename(meeting)
    )


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def ics(meeting_id: int):
    return meeting_ics(load_meeting(meeting_id, Action.GROUP_VIEW, agenda=True))


@bp.get("/calendar/<feed_token>.ics")
def feed(feed_token: str):
    """The private feed: the secret in the address is the only credential."""
    user = calendar.user_for_feed(feed_token)
    if user is None:
        abort(404)
    # No session: the feed speaks its owner's language.
    with force_locale(user.locale):
        name = _("Konsey meetings of %(name)s", name=user.name)
        body = calendar.calendar_for(queries.feed_meetings(user), meeting_url, name=name)
    return ics_response(body)


@bp.post("/account/calendar")
@login_required
def create_feed():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    secret = calendar.create_feed_token(current_actor(), current_user._get_current_object())
    url = absolute(url_for("meetings.feed", feed_token=secret))
    return render_template("meetings/calendar_feed.html", feed_url=url)


@bp.post("/account/calendar/revoke")
@login_required
def revoke_feed():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if calendar.revoke_feed_token(current_actor(), current_user._get_current_object()):
        flash(_("Your calendar feed is switched off; its address no longer works."), "success")
    else:
        flash(_("You have no calendar feed."), "info")
    return redirect(url_for("account.index", _anchor="calendar-h"))
