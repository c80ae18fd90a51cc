"""Bulk writing for the generator: ids handed out in memory, chunked executemany.

Ids are assigned here (max(id) + 1 onwards) rather than returned by the
database, so rows can point at each other without a round trip per row; on
PostgreSQL the id sequences are moved past them at the end. This assumes
nobody else writes the same tables during a run (the generator is a CLI for
an otherwise quiet database).
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from konsey.extensions import db

CHUNK = 5_000


class Ids:
    """The next free id per table, read once."""

    def __init__(self):
        self._next: dict[str, int] = {}

    def take(self, table: sa.Table) -> int:
        name = table.name
        if name not in self._next:
            self._next[name] = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value

    def tables(self) -> list[str]:
        return list(self._next)


class Writer:
    """Collects rows per table and writes them in chunks (executemany)."""

    def __init__(self):
        self.ids = Ids()
        self.counts: Counter = Counter()

    def insert(self, table: sa.Table, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            db.session.execute(sa.insert(table), rows[start : start + CHUNK])
        self.counts[table.name] += len(rows)

    def execute_many(self, statement: str, rows: list[dict], label: str) -> None:
        for start in range(0, len(rows), CHUNK):
            db.session.execute(sa.text(statement), rows[start : start + CHUNK])
        self.counts[label] += len(rows)

    def finish(self) -> None:
        """Sequences past the ids used (PostgreSQL); fresh planner statistics."""
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            for name in self.ids.tables():
                db.session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
        db.session.commit()
        # The planner needs statistics for tables that just grew by orders of
        # magnitude; autovacuum would get there, but only later. (SQLite plans
        # well without them, and ANALYZE there adds a table the schema lacks.)
        if dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
