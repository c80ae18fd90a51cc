"""Deliver queued outbox messages: to SMTP when configured, else to the mail folder.

Until the Celery workers take this over, the web app calls
``deliver_pending`` right after the transaction that queued the message
commits; ``flask konsey deliver-mail`` does the same from the command line.
A message is marked sent only after the transport accepted it, and a failure
is recorded on the row (never dropped).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import OutboxMessage, OutboxState
from konsey.models.base import utcnow

MAX_ATTEMPTS = 5


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = make_msgid(idstring=f"konsey-{row.id}")
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


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


def deliver(row: OutboxMessage) -> bool:
    """Try to deliver one message; record the outcome on the row."""
    config = current_app.config
    row.attempts += 1
    try:
        msg = build_message(row, config["MAIL_FROM"])
        if config["SMTP_HOST"]:
            _send_smtp(msg, config)
        else:
            _send_to_folder(msg, row, Path(config["MAIL_FOLDER"]))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = OutboxState.FAILED
        return False
    row.state = OutboxState.SENT
    row.sent_at = utcnow()
    row.last_error = None
    return True


def deliver_pending(limit: int = 100) -> int:
    """Deliver queued messages, oldest first; returns how many went out."""
    sent = 0
    seen: set[int] = set()
    for _ in range(limit):
        # One row at a time, locked, so two processes never send the same
        # message (SKIP LOCKED on PostgreSQL; SQLite serialises writers).
        row = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.id.not_in(seen))
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if row is None:
            break
        seen.add(row.id)
        sent += deliver(row)
        db.session.commit()
    return sent
