"""Confirmation of irreversible steps (signing, circulating, deleting an
agenda item, cancelling a meeting, purging a document).

A form for such a step carries ``data-confirm`` (the question) and
``data-confirm-token``: with JavaScript, static/js/confirm.js asks in a
dialog and adds the token to the form when the user says yes. Without
JavaScript, the form arrives without a token and the route answers with a
confirmation page (``templates/_confirm.html``) carrying the same fields
and the token; nothing changes until that page's form comes back.

The token is signed with the app's secret and names the step, the object
and the user, so a token made for one thing does not confirm another; it
expires after ``MAX_AGE`` seconds. A token that is present but not valid is
refused (400) with the confirmation page again. The JSON API does not ask:
an API call is an explicit request already.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape

FIELD = "confirm"
MAX_AGE = 15 * 60
_SALT = "konsey.confirm"
# Fields never copied into the confirmation page's form.
_NOT_COPIED = {FIELD, "csrf_token"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _subject(step: str, object_id) -> list:
    user_id = current_user.get_id() if current_user and current_user.is_authenticated else None
    return [step, str(object_id), str(user_id)]


def token(step: str, object_id) -> str:
    return _serializer().dumps(_subject(step, object_id))


def attributes(step: str, object_id, question: str) -> Markup:
    """``data-confirm…`` attributes for a <form> (a template global)."""
    return Markup('data-confirm="{}" data-confirm-token="{}"').format(
        escape(question), token(step, object_id)
    )


class Refused(Exception):
    """A confirmation token that does not confirm this step."""


def confirmed(step: str, object_id, form=None) -> bool:
    """True when the form confirms this step; False when it does not try.

    Raises Refused when it tries with a token that is not valid here."""
    form = request.form if form is None else form
    given = form.get(FIELD)
    if not given:
        return False
    try:
        subject = _serializer().loads(given, max_age=MAX_AGE)
    except BadSignature as exc:  # also SignatureExpired
        raise Refused from exc
    if subject != _subject(step, object_id):
        raise Refused
    return True


@dataclass
class Question:
    """What the confirmation page says."""

    title: str
    question: str
    consequence: str
    button: str
    cancel_url: str


def page(step: str, object_id, question: Question, *, refused: bool = False):
    """The confirmation page: the same form again, with the token."""
    fields = [
        (name, value)
        for name in request.form
        if name not in _NOT_COPIED
        for value in request.form.getlist(name)
    ]
    body = render_template(
        "_confirm.html",
        q=question,
        fields=fields,
        action_url=request.path,
        token=token(step, object_id),
        refused=refused,
    )
    return body, 400 if refused else 200


def require(step: str, object_id, question: Question):
    """None when confirmed; otherwise the response to return (the page)."""
    try:
        if confirmed(step, object_id):
            return None
    except Refused:
        return page(step, object_id, question, refused=True)
    return page(step, object_id, question)
