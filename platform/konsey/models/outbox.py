"""Every email the system sends is a row here first."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Makes a second copy of the same reminder or digest impossible.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[OutboxState] = mapped_column(
        enum_column(OutboxState),
        default=OutboxState.QUEUED,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "reset" or "setup": the login link this message needs, minted only at
    # send time (konsey.mail.secret_links); the stored body has a placeholder.
    link_purpose: Mapped[str | None] = mapped_column(String(16))
    # The object a notice is about ("minutes:12", "action_item:5"): delivery
    # does not send a notice whose object was deleted in the meantime.
    about: Mapped[str | None] = mapped_column(String(64))
    # The class of mail ("notices", "digest", "reminders"): what the one-click
    # unsubscribe link in its List-Unsubscribe header turns off.
    list_class: Mapped[str | None] = mapped_column(String(16))
