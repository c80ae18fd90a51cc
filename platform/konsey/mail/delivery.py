"""Deliver outbox messages: to SMTP when configured, else to the mail folder.

The workers (``workers.mail``) call ``attempt`` for each queued message; in
inline mode and from ``flask konsey deliver-mail`` the web process calls
``deliver_pending``. A message is marked sent only after the transport
accepted it; every failure is recorded on the row, and after the last
attempt (or a permanent refusal) the row ends as "failed" — never dropped.
"""

from __future__ import annotations

import enum
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.mail import reasons, secret_links
from konsey.mail.outbox import one_line
from konsey.models import OutboxMessage, OutboxState
from konsey.models.base import utcnow
from konsey.notifications import links as unsubscribe_links


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # a transient failure: try again later
    FAILED = "failed"  # permanent, or the last attempt
    SKIPPED = "skipped"  # not queued any more (another worker sent it)


def _mail_domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "konsey.invalid"


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    base_url = current_app.config["BASE_URL"]
    domain = _mail_domain(base_url)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.recipient
    msg["Subject"] = one_line(row.subject)  # rows queued before compose made it one line
    msg["Date"] = format_datetime(row.created_at)
    # Stable per row: if a message ever went out twice, mail clients fold the copies.
    msg["Message-ID"] = f"<konsey-outbox-{row.id}-{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    if row.about:
        # Every notice about the same minutes or action is one thread.
        thread = f"<konsey-{row.about.replace(':', '-')}@{domain}>"
        msg["References"] = thread
        msg["In-Reply-To"] = thread
    # RFC 3834: written by a program, so no mail client answers it automatically.
    msg["Auto-Submitted"] = "auto-generated"
    if row.list_class and row.recipient_id:
        # RFC 2369 / RFC 8058: one click in the mail client turns this class
        # of mail off, without logging in (a POST to the signed URL).
        token = unsubscribe_links.make_unsubscribe_token(row.recipient_id, row.list_class)
        url = f"{base_url}/notifications/unsubscribe/{token}"
        msg["List-Unsubscribe"] = f"<{url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["List-Id"] = f"Konsey {row.list_class} <{row.list_class}.{domain}>"
    if row.dedupe_key:
        msg["X-Konsey-Dedupe"] = row.dedupe_key
    body_text, body_html = secret_links.bodies(row)
    msg.set_content(body_text)
    if body_html:
        msg.add_alternative(body_html, subtype="html")
    return msg


def gone(row: OutboxMessage) -> str | None:
    """Why a notice must not go out: its object was deleted since it was written."""
    if not row.about:
        return None
    from konsey.models import ActionItem, Minutes

    kind, _, object_id = row.about.partition(":")
    model = {"minutes": Minutes, "action_item": ActionItem}.get(kind)
    if model is None or not object_id.isdigit():
        return None
    if db.session.get(model, int(object_id)) is None:
        return reasons.DELETED[kind]
    return None


def _send_to_folder(msg: EmailMessage, row: OutboxMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{row.id:08d}.eml"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(bytes(msg))
    tmp.replace(target)  # atomic: a reader never sees half a message


def _send_smtp(msg: EmailMessage, config) -> None:
    with smtplib.SMTP(
        config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
    ) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


def _is_permanent(exc: Exception) -> bool:
    """5xx answers (e.g. an address the server refuses) will not get better."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError | UnicodeError)  # a message that cannot be built


def retry_delay(attempts: int) -> int:
    """Seconds to wait before attempt ``attempts + 1`` (exponential backoff)."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return min(base * 2 ** max(attempts - 1, 0), 6 * 3600)


def attempt(row: OutboxMessage) -> Outcome:
    """Try to deliver one message and record the outcome on the row (no commit)."""
    if row.state != OutboxState.QUEUED:
        return Outcome.SKIPPED
    config = current_app.config
    reason = gone(row)
    if reason:
        row.state = OutboxState.FAILED
        row.last_error = reason
        return Outcome.FAILED
    row.attempts += 1
    try:
        msg = build_message(row, config["MAIL_FROM"])
        if config["SMTP_HOST"]:
            _send_smtp(msg, config)
        else:
            _send_to_folder(msg, row, Path(config["MAIL_FOLDER"]))
    except (OSError, smtplib.SMTPException, ValueError, UnicodeError) as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if _is_permanent(exc) or row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.state = OutboxState.FAILED
            return Outcome.FAILED
        return Outcome.RETRY
    row.state = OutboxState.SENT
    row.sent_at = utcnow()
    row.last_error = None
    return Outcome.SENT


def lock_queued(
    message_id: int | None = None, *, fresh_only: bool = False, exclude: set[int] = frozenset()
):
    """The next queued message (or the given one), locked for this transaction.

    ``SKIP LOCKED`` on PostgreSQL lets several workers share the outbox
    without sending a message twice; SQLite serialises writers anyway.
    """
    query = select(OutboxMessage).where(OutboxMessage.state == OutboxState.QUEUED)
    if message_id is not None:
        query = query.where(OutboxMessage.id == message_id)
    if fresh_only:
        query = query.where(OutboxMessage.attempts == 0)
    if exclude:
        query = query.where(OutboxMessage.id.not_in(exclude))
    return db.session.scalar(
        query.order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True)
    )


def deliver_pending(limit: int = 100) -> int:
    """Try each queued message once, oldest first; returns how many went out."""
    sent = 0
    tried: set[int] = set()
    for _ in range(limit):
        row = lock_queued(exclude=tried)
        if row is None:
            break
        tried.add(row.id)
        sent += attempt(row) == Outcome.SENT
        db.session.commit()
    return sent


def retry_failed(actor: audit.Actor, row: OutboxMessage) -> None:
    """An admin sends a failed message again (after fixing an address, say)."""
    if row.state != OutboxState.FAILED:
        from flask_babel import gettext as _

        from konsey.errors import Conflict

        raise Conflict(_("Only a failed message can be retried."))
    row.state = OutboxState.QUEUED
    row.attempts = 0
    audit.record(actor, "outbox.retry", row, recipient=row.recipient)
    db.session.commit()
