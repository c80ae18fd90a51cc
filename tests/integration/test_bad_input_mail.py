"""A title written before single-line fields refused line breaks (legacy
data) still gives a reminder whose headers are valid: the mail composer
makes every subject one line."""

from __future__ import annotations

import email.policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select

from konsey.extensions import db
from konsey.mail.delivery import deliver_pending
from konsey.models import OutboxMessage, OutboxState
from konsey.models.base import utcnow
from konsey.notifications import reminders
from tests.integration.test_notifications import _meeting, people, utc

__all__ = ["people"]  # the fixture, shared with the notification tests


def _delivered(app) -> list:
    parser = BytesParser(policy=email.policy.strict)
    return [
        parser.parsebytes(path.read_bytes())
        for path in sorted(Path(app.config["MAIL_FOLDER"]).glob("*.eml"))
    ]


def test_a_legacy_title_with_a_line_break_still_gives_valid_reminders(app, people):
    meeting = _meeting(
        people["group"],
        utc(2026, 12, 7, 6, 0),
        title="Planning\r\nBcc: everyone@example.org\u2028\x85",
    )
    assert reminders.scan(utc(2026, 11, 30, 5, 30)) == 3
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("reminder:meeting:"))
    ).all()
    assert rows and all("\r" not in r.subject and "\n" not in r.subject for r in rows)
    assert deliver_pending() == 3
    messages = _delivered(app)
    assert len(messages) == 3
    for message in messages:
        assert message["Bcc"] is None
        assert "Planning Bcc: everyone@example.org" in str(message["Subject"])
    assert meeting.id


def test_an_outbox_row_queued_with_a_broken_subject_is_delivered_one_line(app, people):
    user = people["users"]["KZ"]
    row = OutboxMessage(
        recipient=user.email,
        recipient_id=user.id,
        subject="Old\r\nX-Injected: yes",
        body_text="Hello",
        body_html="<p>Hello</p>",
        state=OutboxState.QUEUED,
        attempts=0,
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    assert deliver_pending() == 1
    [message] = _delivered(app)
    assert message["X-Injected"] is None
    assert str(message["Subject"]) == "Old X-Injected: yes"
