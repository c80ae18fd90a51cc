"""Minutes of a meeting: versions, each member state's position, signature."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow
from konsey.models.meetings import AgendaItem, Meeting
from konsey.models.states import MemberState
from konsey.models.users import User


class MinutesStatus(enum.StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    AGREED = "agreed"
    SIGNED = "signed"


class PositionKind(enum.StrEnum):
    AGREE = "agree"
    RESERVATION = "reservation"
    SILENCE = "silence"  # agreed by silence at the deadline (silence procedure)


class Minutes(db.Model):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[MinutesStatus] = mapped_column(
        enum_column(MinutesStatus), default=MinutesStatus.DRAFT
    )
    comment_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    silence_procedure: Mapped[bool] = mapped_column(Boolean, default=False)
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The frozen text's SHA-256, stored when signed.
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    # Everything the signed record shows, frozen at signing, as canonical JSON
    # (konsey.minutes.record), and the SHA-256 of exactly that UTF-8 text.
    signed_record: Mapped[str | None] = mapped_column(Text)
    signed_record_sha256: Mapped[str | None] = mapped_column(String(64))

    meeting: Mapped[Meeting] = relationship()
    versions: Mapped[list[MinutesVersion]] = relationship(
        back_populates="minutes", order_by="MinutesVersion.number", cascade="all, delete-orphan"
    )
    signed_by: Mapped[User | None] = relationship()

    @property
    def current(self) -> MinutesVersion | None:
        return self.versions[-1] if self.versions else None


class MinutesVersion(db.Model):
    __tablename__ = "minutes_version"
    __table_args__ = (UniqueConstraint("minutes_id", "number", name="uq_minutes_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)  # Markdown; never edited once written
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")  # what changed
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    # The decisions this version records, in their order (written only by
    # konsey.minutes.decisions.write; fixed once the version is circulated).
    decisions: Mapped[list[VersionDecision]] = relationship(
        back_populates="version",
        order_by="VersionDecision.position",
        cascade="all, delete-orphan",
    )


class ParticipationReason(enum.StrEnum):
    CIRCULATED = "circulated"  # taking part when the version was circulated
    JOINED = "joined"  # gained a delegation while the version was circulated


class MinutesParticipant(db.Model):
    """A member state whose agreement a version needs. Written when the version
    is circulated (or written while circulated) and when a state joins later;
    never deleted by a roster change."""

    __tablename__ = "minutes_participant"
    __table_args__ = (
        UniqueConstraint("version_id", "member_state_id", name="uq_minutes_participant_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_version.id", ondelete="CASCADE"), index=True
    )
    member_state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id", ondelete="RESTRICT"))
    reason: Mapped[ParticipationReason] = mapped_column(enum_column(ParticipationReason))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member_state: Mapped[MemberState] = relationship()


class MinutesPosition(db.Model):
    """One member state's position on one version (changeable until agreed)."""

    __tablename__ = "minutes_position"
    __table_args__ = (
        UniqueConstraint("version_id", "member_state_id", name="uq_minutes_position_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_version.id", ondelete="CASCADE"), index=True
    )
    member_state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id", ondelete="RESTRICT"))
    position: Mapped[PositionKind] = mapped_column(enum_column(PositionKind))
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[MinutesVersion] = relationship()
    member_state: Mapped[MemberState] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class MinutesComment(db.Model):
    __tablename__ = "minutes_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_version.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[MinutesVersion] = relationship()
    user: Mapped[User | None] = relationship()


class Decision(db.Model):
    """A decision of the meeting: its identity (action items point at it).

    Which versions of the minutes record it, and how each words it, is in
    VersionDecision. ``text``, ``position`` and ``agenda_item_id`` here are
    its latest wording (the newest version that records it), written only by
    konsey.minutes.decisions.write, so other areas read it cheaply.
    ``removed_in_version`` is the number of the version that dropped it;
    None while the current version carries it.
    """

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_in_version: Mapped[int | None] = mapped_column(Integer)

    minutes: Mapped[Minutes] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()


class VersionDecision(db.Model):
    """A decision as one version of the minutes records it: its number in
    that version, its text and its agenda item."""

    __tablename__ = "minutes_version_decision"
    __table_args__ = (
        UniqueConstraint("version_id", "decision_id", name="uq_minutes_version_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_version.id", ondelete="CASCADE"), index=True
    )
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # its number in this version
    text: Mapped[str] = mapped_column(Text)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )

    version: Mapped[MinutesVersion] = relationship(back_populates="decisions")
    decision: Mapped[Decision] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
