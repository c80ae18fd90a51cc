"""Compose emails and write them to the outbox, in the caller's transaction."""

from __future__ import annotations

import re
from contextlib import nullcontext

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy.dialects import postgresql, sqlite

from konsey.extensions import db
from konsey.mail import secret_links
from konsey.models import OutboxMessage, OutboxState, User

# Control characters, line and paragraph separators, and runs of white space:
# a subject is one header line, whatever an old title holds.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")


def one_line(text: str) -> str:
    """``text`` as one header-safe line: every break or control becomes a space."""
    return _NOT_ONE_LINE.sub(" ", text).strip()


# The class of each template's mail: what its one-click unsubscribe turns
# off (``konsey.notifications.links``). Account mail (invitations, resets,
# security notices) has none: nobody may unsubscribe from those.
LIST_CLASSES = {
    "notice": "notices",
    "reminder_action": "notices",
    "reminder_meeting": "notices",
    "digest": "digest",
    "event": "digest",
}


def list_class_of(template: str) -> str | None:
    return LIST_CLASSES.get(template)


def compose(
    user: User,
    template: str,
    subject,
    *,
    dedupe_key: str | None = None,
    link_purpose: str | None = None,
    **context,
):
    """Render ``email/<template>.txt`` and ``.html`` in the user's language.

    ``link_purpose`` ("reset" or "setup") names a login link the message
    needs: the template gets a placeholder as ``link`` and delivery mints the
    link at send time (``konsey.mail.secret_links``), so it is never stored.

    ``subject`` may be a lazy string (or a callable taking no argument) so it
    is translated in the recipient's language, not the sender's.
    """
    locale = user.locale
    if locale not in current_app.config["LANGUAGES"]:  # old or damaged data
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    # Workers compose outside any request; links need one to be built.
    request_context = (
        nullcontext()
        if has_request_context()
        else current_app.test_request_context("/", base_url=current_app.config["BASE_URL"])
    )
    with request_context, force_locale(locale):
        context = {"user": user, "base_url": current_app.config["BASE_URL"], **context}
        if link_purpose:
            context["link"] = secret_links.PLACEHOLDER
        return {
            "recipient": user.email,
            "recipient_id": user.id,
            "subject": one_line(str(subject() if callable(subject) else subject))[:300],
            "body_text": render_template(f"email/{template}.txt", **context),
            "body_html": render_template(f"email/{template}.html", **context),
            "dedupe_key": dedupe_key,
            "link_purpose": link_purpose,
            "list_class": list_class_of(template),
        }


def queue_email(
    user: User, template: str, subject, *, dedupe_key=None, link_purpose=None, **context
):
    message = OutboxMessage(
        **compose(
            user, template, subject, dedupe_key=dedupe_key, link_purpose=link_purpose, **context
        )
    )
    db.session.add(message)
    return message


def queue_many(messages: list[dict]) -> int:
    """Insert composed messages in one statement; a dedupe key already in the
    outbox is skipped (not an error), so concurrent runs never double a mail."""
    if not messages:
        return 0
    from konsey.models.base import utcnow

    now = utcnow()
    rows = [{"created_at": now, "state": OutboxState.QUEUED, "attempts": 0, **m} for m in messages]
    # One statement needs the same columns in every row: a notice says what it
    # is about, an information mail or a reminder has nothing to say (NULL).
    columns = OutboxMessage.__table__.c
    for key in {k for row in rows for k in row}:
        if columns[key].default is None and columns[key].server_default is None:
            for row in rows:
                row.setdefault(key, None)
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(OutboxMessage)
    inserted = db.session.scalars(
        insert.values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    ).all()
    return len(inserted)
