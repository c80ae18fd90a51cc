"""The meeting's document list, printable, and its ZIP (on the meetings blueprint)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from konsey.documents import bundle
from konsey.documents.download import content_disposition
from konsey.documents.forms import KIND_LABELS, language_name
from konsey.errors import ServiceError
from konsey.meetings import document_list
from konsey.meetings.routes import bp, load_meeting
from konsey.policy import Action
from konsey.web import current_actor


def zip_response(actor, meeting, language: str) -> Response:
    """The streamed ZIP (raises ServiceError: 404 nothing to read, 409 a file
    missing from the store) — shared by the page and the API."""
    files = document_list.zip_entries(actor.user, meeting, language)
    bundle.check_present(actor, files)
    stream = bundle.archive(actor, files)
    response = Response(iter(stream), mimetype="application/zip")
    response.content_length = len(stream)
    response.headers["Content-Disposition"] = content_disposition(
        document_list.zip_filename(meeting, language)
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/meetings/<int:meeting_id>/documents")
@login_required
def documents_page(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.GROUP_VIEW, agenda=True)
    rows = document_list.rows(current_user, meeting)
    languages = current_app.config["DOCUMENT_LANGUAGES"]
    own = current_user.locale if current_user.locale in languages else None
    return render_template(
        "meetings/documents_list.html",
        group=meeting.group,
        meeting=meeting,
        rows=rows,
        languages=[own, *[c for c in languages if c != own]] if own else list(languages),
        kind_labels=KIND_LABELS,
        language_name=language_name,
    )


@bp.get("/meetings/<int:meeting_id>/documents.zip")
@login_required
def documents_zip(meeting_id: int):
    meeting = load_meeting(meeting_id, Action.GROUP_VIEW, agenda=True)
    try:
        language = document_list.check_language(request.args.get("language"), current_user.locale)
        return zip_response(current_actor(), meeting, language)
    except ServiceError as exc:  # nothing to read (404), a file gone (409), the language
        return render_template("errors/error.html", status=exc.status, message=exc.message), (
            exc.status
        )
