"""Realistic data in bulk, for trying Konsey at scale and for the benchmarks.

``generate`` fills the database with N working groups, each with its roster,
meetings and agendas, minutes in every status, a document library whose files
are in the store, and action items with their histories. The same seed and
day give the same data. Rows are written with bulk inserts (no ORM objects,
no per-row audit events: the audit log records one ``generate.run`` event).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from konsey import audit
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import WorkingGroup
from konsey.scale.actions import generate_actions
from konsey.scale.bulk import Writer
from konsey.scale.documents import FileWriter, generate_documents
from konsey.scale.meetings import generate_meetings
from konsey.scale.people import generate_people


@dataclass
class Sizes:
    groups: int = 20
    users: int | None = None  # default: 500 per group (10,000 for 20 groups)
    meetings: int = 50  # per group
    agenda_items: int = 10  # per meeting
    documents: int = 1_000  # per group
    actions: int = 2_000  # per group

    @property
    def total_users(self) -> int:
        return self.users if self.users is not None else 500 * self.groups


@dataclass
class Report:
    counts: Counter
    files_written: int
    seconds: float
    groups: list[str]


def generate(
    sizes: Sizes,
    *,
    seed: int = 2017,
    today: date | None = None,
    prefix: str = "wg",
    password: str,
) -> Report:
    """Write the data in one transaction; refuse when the prefix is taken."""
    started = time.perf_counter()
    taken = db.session.scalar(
        select(WorkingGroup.slug).where(WorkingGroup.slug.like(f"{prefix}-%")).limit(1)
    )
    if taken:
        raise ValidationError(
            f"Generated groups with the prefix {prefix!r} are already there ({taken}): "
            "use another --prefix, or an empty database.",
            "prefix",
        )
    today = today or datetime.now(UTC).date()
    anchor = datetime(today.year, today.month, today.day, 6, tzinfo=UTC)
    start = anchor - timedelta(days=6 * 365)
    rng = random.Random(seed)
    writer = Writer()
    files = FileWriter()
    people = generate_people(
        writer,
        rng,
        prefix=prefix,
        groups=sizes.groups,
        users=sizes.total_users,
        start=start,
        password=password,
        seed=seed,
    )
    for group in people.groups:
        meetings = generate_meetings(
            writer,
            rng,
            group,
            meetings=sizes.meetings,
            agenda_items=sizes.agenda_items,
            today=anchor,
        )
        documents = generate_documents(
            writer,
            files,
            rng,
            group,
            count=sizes.documents,
            agenda_items=meetings.all_items,
            start=start,
            days=6 * 365,
        )
        generate_actions(
            writer,
            rng,
            group,
            meetings,
            count=sizes.actions,
            documents=documents,
            today=anchor,
        )
    audit.record(
        audit.Actor(user=None, ip="cli"),
        "generate.run",
        seed=seed,
        prefix=prefix,
        day=today.isoformat(),
        **dict(writer.counts),
    )
    writer.finish()
    # The index, as the application writes it (konsey.search.index), rebuilt.
    from konsey.search.index import reindex

    writer.counts["search_index"] = sum(reindex().values())
    return Report(
        writer.counts,
        files.written,
        time.perf_counter() - started,
        [g.slug for g in people.groups],
    )
