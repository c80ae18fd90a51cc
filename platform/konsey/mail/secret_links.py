"""Emails that carry a login secret (password reset, account set-up).

No working secret is ever stored in the outbox: the row keeps a body with a
placeholder where the link goes and says which link it needs
(``link_purpose``); the link is minted at send time, straight into the
message handed to SMTP or the recipient's mail file. So the outbox table,
the admin Outbox pages and database backups hold nothing that logs in.
"""

from __future__ import annotations

from flask import current_app, url_for

from konsey.extensions import db
from konsey.mail import reasons
from konsey.models import OutboxMessage, User

# What the stored body holds instead of the link (the admin page translates it).
PLACEHOLDER = "[link sent to the recipient only]"
ENDPOINTS = {"reset": "auth.reset_password", "setup": "auth.setup_account"}


class StaleLink(ValueError):
    """The account changed since the message was queued: no link is minted.

    A ValueError, so delivery records it as a permanent failure."""


def _recipient(row: OutboxMessage) -> User:
    user = db.session.get(User, row.recipient_id) if row.recipient_id else None
    if user is None or not user.is_active or user.email != row.recipient:
        raise StaleLink(reasons.ACCOUNT_CHANGED)
    if row.link_purpose == "setup" and user.has_password:
        raise StaleLink(reasons.ALREADY_SET_UP)
    return user


def mint_url(row: OutboxMessage) -> str:
    from konsey.auth import links

    if row.link_purpose not in ENDPOINTS:
        raise StaleLink(f"unknown secret link {row.link_purpose!r}")
    user = _recipient(row)
    token = links.make_token(user, row.link_purpose)
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        return base.rstrip("/") + url_for(ENDPOINTS[row.link_purpose], token=token)


def bodies(row: OutboxMessage) -> tuple[str, str | None]:
    """The text and HTML bodies as the recipient gets them."""
    if not row.link_purpose:
        return row.body_text, row.body_html
    url = mint_url(row)
    html = row.body_html.replace(PLACEHOLDER, url) if row.body_html else row.body_html
    return row.body_text.replace(PLACEHOLDER, url), html


def redacted(text: str | None) -> str | None:
    """For the admin pages: the placeholder in the reader's language."""
    if not text or PLACEHOLDER not in text:
        return text
    from flask_babel import gettext as _

    return text.replace(PLACEHOLDER, _("[link sent to the recipient only]"))
