"""Member states of the council (and observer states)."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from konsey.extensions import db
from konsey.models.base import enum_column


class StateStatus(enum.StrEnum):
    MEMBER = "member"
    OBSERVER = "observer"


class MemberState(db.Model):
    __tablename__ = "member_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    # ISO 3166-1 alpha-2, upper case.
    code: Mapped[str] = mapped_column(String(2), unique=True)
    # The official English name (and the name wherever CLDR does not know the code).
    name: Mapped[str] = mapped_column(String(120))
    # Official names an admin gave in other languages, e.g. {"ru": "Кыргызстан"};
    # a language without one reads CLDR's name of the code.
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[StateStatus] = mapped_column(
        enum_column(StateStatus),
        default=StateStatus.MEMBER,
    )
    capital_timezone: Mapped[str] = mapped_column(String(64))

    def display_name(self, locale: str | None = None) -> str:
        """The state as a reader of ``locale`` calls it (``konsey.place_names``)."""
        from konsey.place_names import state_name

        return state_name(self.code, self.name, self.names, locale)

    @property
    def is_member(self) -> bool:
        return self.status == StateStatus.MEMBER

    def __repr__(self) -> str:
        return f"<MemberState {self.code}>"
