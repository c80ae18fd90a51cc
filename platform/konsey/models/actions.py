"""Action items: what a member state or a person owes, by when, and its history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow
from konsey.models.documents import Document
from konsey.models.groups import WorkingGroup
from konsey.models.meetings import AgendaItem, Meeting
from konsey.models.minutes import Decision
from konsey.models.states import MemberState
from konsey.models.users import User


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    # Done by the owing delegation's word, awaiting the secretariat's acknowledgement.
    REPORTED = "reported"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.CANCELLED)


# Still owed: only these can be overdue or due (a reported item waits for the
# secretariat, not for its owner).
PENDING_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# Not yet settled: still owed, or reported and awaiting the acknowledgement
# (e.g. the open actions a new meeting's review item lists).
UNSETTLED_STATUSES = (*PENDING_STATUSES, ActionStatus.REPORTED)


class ActionPriority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


def _status_column(name: str) -> Enum:
    # Like enum_column, with a name of its own: a table with two status
    # columns needs two differently named CHECK constraints.
    return Enum(
        ActionStatus,
        native_enum=False,
        length=16,
        validate_strings=True,
        create_constraint=True,
        values_callable=lambda members: [m.value for m in members],
        name=name,
    )


class ActionItem(db.Model):
    __tablename__ = "action_item"
    __table_args__ = (Index("ix_action_item_group_due", "group_id", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # Who owes it: a member state, a person, or a person on behalf of their state.
    owner_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_state.id", ondelete="RESTRICT"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # A calendar date in the owner's time zone (see konsey.actions.overdue).
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        _status_column("actionstatus"), default=ActionStatus.OPEN, index=True
    )
    priority: Mapped[ActionPriority] = mapped_column(
        enum_column(ActionPriority), default=ActionPriority.NORMAL
    )
    # Where it came from (any, all or none of them).
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[WorkingGroup] = relationship()
    owner_state: Mapped[MemberState | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    meeting: Mapped[Meeting | None] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    decision: Mapped[Decision | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.id", cascade="all, delete-orphan"
    )

    @property
    def owing_state(self) -> MemberState | None:
        """The state on whose side the item is: the owner state, else the person's."""
        if self.owner_state is not None:
            return self.owner_state
        return self.assignee.member_state if self.assignee is not None else None

    @property
    def owner_timezone(self) -> str:
        """The zone the due date is a date in: the state's capital, else the person's."""
        if self.owner_state is not None:
            return self.owner_state.capital_timezone
        if self.assignee is not None:
            return self.assignee.timezone
        return "UTC"

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.title!r}>"


class ActionUpdate(db.Model):
    """One entry of an item's history: a status change, a comment, evidence."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None on the entry that records the item's creation.
    old_status: Mapped[ActionStatus | None] = mapped_column(_status_column("actionstatus_old"))
    new_status: Mapped[ActionStatus] = mapped_column(_status_column("actionstatus_new"))
    comment: Mapped[str] = mapped_column(Text, default="")
    # Evidence of fulfilment, e.g. "Note verbale No. 12-3/456 of 20 November 2017".
    reference: Mapped[str] = mapped_column(String(300), default="")
    # An attached document of the group (evidence); a purged document leaves
    # the entry, without its link.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    # An edit: [{"field": "due_date", "old": "2026-12-22", "new": "2027-01-29"}, …]
    # (values as shown when the change was made); None on other entries.
    changes: Mapped[list | None] = mapped_column(JSON)

    action: Mapped[ActionItem] = relationship(back_populates="updates")
    user: Mapped[User | None] = relationship()
    document: Mapped[Document | None] = relationship()


# The zones people use, read by the overdue rule (konsey.actions.overdue.Clock)
# one index probe per zone; declared here, beside that rule's tables.
Index("ix_user_account_timezone", User.timezone)
