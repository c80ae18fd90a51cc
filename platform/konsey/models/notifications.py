"""Bookkeeping of the notification runs, so each is done exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from konsey.extensions import db
from konsey.models.base import UTCDateTime, utcnow


class DigestRun(db.Model):
    """A user's digest for one period was composed (sent, or empty: nothing to send)."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("user_id", "period", name="uq_digest_run_user_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(40))  # e.g. "daily:2026-11-30"
    items: Mapped[int] = mapped_column(Integer, default=0)
    # The newest audit event this digest covered: the next one starts after it,
    # so no entry is ever in two digests.
    last_event_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationCursor(db.Model):
    """How far through the audit events the "immediately" notices have got."""

    __tablename__ = "notification_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
