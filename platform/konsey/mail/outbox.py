"""Compose an email and write it to the outbox, in the caller's transaction."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale

from konsey.extensions import db
from konsey.models import OutboxMessage, User


def queue_email(
    user: User,
    template: str,
    subject,
    *,
    dedupe_key: str | None = None,
    **context,
) -> OutboxMessage:
    """Render ``email/<template>.txt`` and ``.html`` in the user's language.

    ``subject`` is a lazy string so it is translated in the recipient's
    language, not the sender's.
    """
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        context = {"user": user, "base_url": current_app.config["BASE_URL"], **context}
        message = OutboxMessage(
            recipient=user.email,
            recipient_id=user.id,
            subject=str(subject),
            body_text=render_template(f"email/{template}.txt", **context),
            body_html=render_template(f"email/{template}.html", **context),
            dedupe_key=dedupe_key,
        )
    db.session.add(message)
    return message
