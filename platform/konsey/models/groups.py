"""Working groups and who is in them, in which role."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow
from konsey.models.states import MemberState
from konsey.models.users import User


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    HEAD = "head"
    DELEGATE = "delegate"
    EXPERT = "expert"
    OBSERVER = "observer"

    @property
    def is_delegation(self) -> bool:
        """Roles that speak for a member state."""
        return self in (Role.HEAD, Role.DELEGATE, Role.EXPERT)


ROSTER_ORDER = (Role.HEAD, Role.DELEGATE, Role.EXPERT, Role.OBSERVER)


class WorkingGroup(db.Model):
    __tablename__ = "working_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    mandate: Mapped[str] = mapped_column(Text, default="")
    # The pattern of its official documents' symbols, e.g. TC/ICT/CS/{year}/{n}.
    symbol_pattern: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<WorkingGroup {self.slug}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", name="uq_membership_group_user"),
        # At most one head of delegation per member state per group.
        Index(
            "uq_membership_one_head",
            "group_id",
            "member_state_id",
            unique=True,
            sqlite_where=db.text("role = 'head'"),
            postgresql_where=db.text("role = 'head'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # The delegation the member sits in: always the user's own state
    # (None for the secretariat and for guests).
    member_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_state.id", ondelete="RESTRICT")
    )
    role: Mapped[Role] = mapped_column(enum_column(Role))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[WorkingGroup] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    member_state: Mapped[MemberState | None] = relationship()
