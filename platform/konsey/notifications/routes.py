"""The one-click digest settings page, reached from a signed link (no login)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from konsey import audit
from konsey.account.services import check_digest
from konsey.errors import ServiceError
from konsey.extensions import csrf, db
from konsey.models import DigestFrequency, NoticeMode
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


def apply_unsubscribe(user, list_class: str, ip: str | None) -> None:
    """Turn one class of mail off: notices then wait for the digest; the
    digest (and its one-email-per-event form) stops."""
    if list_class == "notices":
        field, value = "notices", NoticeMode.DIGEST
    else:
        field, value = "digest", DigestFrequency.OFF
    old = getattr(user, field)
    if old == value:
        return
    setattr(user, field, value)
    audit.record(
        audit.Actor(user, ip),
        f"user.{'notices' if field == 'notices' else 'digest'}_change",
        user,
        old=old,
        new=value,
        via="unsubscribe link",
    )
    db.session.commit()


@bp.route("/unsubscribe/<unsubscribe_token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs with no session; the signed token is the proof
def unsubscribe(unsubscribe_token: str):
    """GET shows what the link turns off and asks (a link scanner's GET
    changes nothing); POST — the mail client's one click (body
    ``List-Unsubscribe=One-Click``) or the page's button — does it."""
    try:
        user, list_class = links.load_unsubscribe(unsubscribe_token)
    except links.LinkError as exc:
        message = (
            _("This unsubscribe link has expired. Change your email settings on your account page.")
            if exc.reason == "expired"
            else _("This unsubscribe link is not valid.")
        )
        return render_template("notifications/unsubscribe.html", error=message), 400
    done = request.method == "POST"
    if done:
        apply_unsubscribe(user, list_class, request.remote_addr)
    return render_template(
        "notifications/unsubscribe.html", user=user, list_class=list_class, done=done
    )
