"""The one-click digest settings page, reached from a signed link (no login)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from konsey import audit
from konsey.account.services import check_digest
from konsey.errors import ServiceError
from konsey.extensions import csrf, db
from konsey.models import DigestFrequency
from konsey.notifications import links

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _user_or_error(token: str):
    try:
        return links.load_user(token), None
    except links.LinkError as exc:
        message = (
            _("This link has expired. Change your digest on your account page instead.")
            if exc.reason == "expired"
            else _("This link is not valid.")
        )
        return None, message


@bp.route("/digest/<digest_token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; it comes from the person's own mailbox
def frequency(digest_token: str):
    user, error = _user_or_error(digest_token)
    if user is None:
        return render_template("notifications/frequency.html", error=error), 400
    saved = False
    if request.method == "POST":
        try:
            choice = check_digest(request.form.get("digest", ""))
        except ServiceError as exc:
            abort(422, description=exc.message)
        if user.digest != choice:
            old = user.digest
            user.digest = choice
            audit.record(
                audit.Actor(user, request.remote_addr),
                "user.digest_change",
                user,
                old=old,
                new=choice,
                via="email link",
            )
            db.session.commit()
        saved = True
    return render_template(
        "notifications/frequency.html", user=user, saved=saved, choices=list(DigestFrequency)
    )
