"""Column types and helpers shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An instant, stored as naive UTC and always returned timezone-aware.

    SQLite has no time zone support, so the conversion happens here once
    instead of in every query.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """A portable enum column that stores the members' values (not their names).

    A VARCHAR with a CHECK constraint on every database, so SQLite and
    PostgreSQL get the same schema and raw SQL can compare with 'head'.
    """
    return Enum(
        enum_cls,
        native_enum=False,
        length=16,
        validate_strings=True,
        create_constraint=True,
        values_callable=lambda members: [m.value for m in members],
        name=enum_cls.__name__.lower(),
    )
