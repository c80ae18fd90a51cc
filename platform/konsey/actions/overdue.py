"""The one rule for "overdue", in Python and in SQL.

A due date is a calendar date in the owner's time zone: the owing member
state's capital zone, else the named person's zone. An item due on D is
overdue once the date there is after D, so an item due 30 November is
overdue earlier in Bishkek than in Istanbul. Only pending items (open or in
progress) can be overdue. ``now`` is always passed in, never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Date, case, func, literal, select, union

from konsey import timefmt
from konsey.extensions import db
from konsey.models import PENDING_STATUSES, ActionItem, MemberState, User


def local_today(zone_name: str | None, now: datetime) -> date:
    """The calendar date at ``now`` in the zone."""
    return now.astimezone(timefmt.zone(zone_name)).date()


def is_overdue(item: ActionItem, now: datetime) -> bool:
    return item.status in PENDING_STATUSES and item.due_date < local_today(item.owner_timezone, now)


def _user_zones():
    """The distinct zones of the users, one index probe per zone (a dozen)
    instead of a scan of every account (ix_user_account_timezone): a
    recursive "next zone after this one" that SQLite and PostgreSQL both run."""
    step = sa.text("SELECT min(timezone) FROM user_account WHERE timezone > zones.tz").columns(
        sa.column("tz")
    )
    zones = select(func.min(User.timezone).label("tz")).cte("zones", recursive=True)
    zones = zones.union_all(select(step.scalar_subquery()).where(zones.c.tz.is_not(None)))
    return select(zones.c.tz).where(zones.c.tz.is_not(None))


def owner_zone_sql(owner_state, assignee):
    """The owner's zone of a row, given the joined owner state and assignee."""
    return func.coalesce(owner_state.capital_timezone, assignee.timezone, "UTC")


@dataclass
class Clock:
    """``now`` and, for every zone in use, the local date then — a handful of
    zones, worked out once per request, so that SQL can compare each row's due
    date with its owner's local date without any per-row Python."""

    now: datetime
    today: dict[str, date] = field(default_factory=dict)

    @classmethod
    def load(cls, now: datetime) -> Clock:
        zones = db.session.scalars(union(select(MemberState.capital_timezone), _user_zones())).all()
        return cls(now=now, today={z: local_today(z, now) for z in {*zones, "UTC"}})

    def today_sql(self, zone_expr, days: int = 0):
        """``local date in zone_expr`` (+ days) as an SQL expression of type DATE."""
        shift = timedelta(days=days)
        whens = {z: literal(d + shift, Date) for z, d in sorted(self.today.items())}
        return case(whens, value=zone_expr, else_=literal(self.today["UTC"] + shift, Date))

    def overdue_sql(self, zone_expr):
        return ActionItem.status.in_(PENDING_STATUSES) & (
            ActionItem.due_date < self.today_sql(zone_expr)
        )
