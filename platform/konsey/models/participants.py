"""The list of participants of a meeting: who each delegation sends.

An entry is a person with a Konsey account (``user``) or a named participant
without one (a minister, an ambassador: ``name``, ``title``, ``organisation``,
``email``). ``member_state`` is the delegation the person sits in; None is
the secretariat. ``registered`` says the person was announced before the
meeting (False: withdrawn, or only recorded as present afterwards).
``attended`` is None until coordinators record attendance, then True/False.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, utcnow
from konsey.models.meetings import Meeting
from konsey.models.states import MemberState
from konsey.models.users import User

NAME_MAX = 200
TITLE_MAX = 200
ORGANISATION_MAX = 200
EMAIL_MAX = 254
REFERENCE_MAX = 120


class MeetingParticipant(db.Model):
    __tablename__ = "meeting_participant"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_meeting_participant_meeting_user"),
        # Every entry names someone: an account or a typed name.
        CheckConstraint("user_id IS NOT NULL OR name <> ''", name="someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    # The delegation; None for the secretariat.
    member_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_state.id", ondelete="RESTRICT")
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # For a participant without an account (for an account: its name is shown).
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    # Title or function, e.g. "Minister of Digital Development".
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), default="")
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    # The accreditation: the note verbale's reference and date.
    accreditation_reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")
    accreditation_date: Mapped[date | None] = mapped_column(Date)
    registered: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    member_state: Mapped[MemberState | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else self.name

    @property
    def has_account(self) -> bool:
        return self.user_id is not None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def on_list(self) -> bool:
        """Shown on the list: announced, or recorded as present."""
        return self.registered or bool(self.attended)

    def __repr__(self) -> str:
        return f"<MeetingParticipant {self.id} {self.display_name!r}>"


@dataclass(frozen=True)
class Delegation:
    """A meeting's delegation of one member state (None: the secretariat): what
    a head of delegation or a coordinator registers participants into."""

    meeting: Meeting
    member_state_id: int | None
