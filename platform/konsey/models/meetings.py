"""Meetings of a group and their agendas (who takes part: models/participants.py)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow
from konsey.models.groups import WorkingGroup
from konsey.models.states import MemberState
from konsey.models.users import User


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


def new_ical_uid() -> str:
    return f"{uuid.uuid4()}@konsey"


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(60), default="")  # e.g. "2nd Meeting"
    # UTC instants; None while the date is not yet known.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The venue's IANA zone: local times on pages are shown in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue_city: Mapped[str] = mapped_column(String(120), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.PLANNED
    )
    # iCalendar identity: the UID never changes, SEQUENCE rises with each change.
    ical_uid: Mapped[str] = mapped_column(String(100), unique=True, default=new_ical_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[WorkingGroup] = relationship()
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    @property
    def venue(self) -> str:
        return ", ".join(p for p in (self.venue_address, self.venue_city) if p)

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title!r}>"


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    lead_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_state.id", ondelete="SET NULL")
    )
    lead_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(Text, default="")  # Markdown, after the meeting
    # "Review of previous decisions and open actions", carried forward.
    is_review: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    lead_state: Mapped[MemberState | None] = relationship()
    lead_user: Mapped[User | None] = relationship()
