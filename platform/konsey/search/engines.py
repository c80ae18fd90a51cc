"""The index table on each database, written and queried.

Both databases hold one table, ``search_index`` (migration 0016): one row per
(kind, object id) with its group, meeting, language, date, title and text.

- PostgreSQL: a stored generated ``tsvector`` (title weighted above the
  text) under the text's language's configuration, with a GIN index; a
  query is each word parsed by every candidate configuration, ORed, the
  words ANDed: one constant ``tsquery``, so the GIN index answers it.
- SQLite: ``title_stems`` and ``body_stems`` hold the Snowball stems of
  the title and the text, indexed by the FTS5 table ``search_index_fts``
  (external content, kept in step by triggers); the original text stays
  in the unindexed ``title`` and ``body`` columns for snippets, which are
  cut here around the words whose stems match.
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa

from konsey.extensions import db
from konsey.models.base import UTCDateTime
from konsey.search import languages as lang

TABLE_NAME = "search_index"
FTS_NAME = "search_index_fts"
TABLE = sa.table(
    TABLE_NAME,
    *(
        sa.column(c)
        for c in (
            "id",
            "kind",
            "object_id",
            "group_id",
            "meeting_id",
            "language",
            "title",
            "body",
            "tsv",  # PostgreSQL only
        )
    ),
    sa.column("date", UTCDateTime()),  # naive UTC in the table, aware in Python
)
# Private-use characters mark highlights; the text is escaped, then they become <mark>.
MARK_START, MARK_END = "\ue000", "\ue001"


def strip_marks(text: str | None) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")


def current():
    name = db.session.get_bind().dialect.name
    return PostgresEngine() if name == "postgresql" else SqliteEngine()


def _row(entry) -> dict:
    return {
        "kind": entry.kind,
        "object_id": entry.object_id,
        "group_id": entry.group_id,
        "meeting_id": entry.meeting_id,
        "language": (entry.language or "")[:8],
        "date": entry.date.astimezone(UTC).replace(tzinfo=None) if entry.date else None,
        "title": strip_marks(entry.title),
        "body": strip_marks(entry.body),
    }


class _Engine:
    extra_columns: tuple[str, ...] = ()

    def _values(self, entry) -> dict:
        return _row(entry)

    def put(self, entries) -> None:
        if not entries:
            return
        columns = list(_row(entries[0])) + list(self.extra_columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
        # Column names only (fixed above); every value is a bound parameter.
        statement = (
            f"INSERT INTO {TABLE_NAME} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(':' + c for c in columns)}) "
            f"ON CONFLICT (kind, object_id) DO UPDATE SET {updates}"
        )
        db.session.execute(sa.text(statement), [self._values(e) for e in entries])

    def remove(self, kind: str, ids) -> None:
        if ids:
            db.session.execute(
                sa.delete(TABLE).where(TABLE.c.kind == kind, TABLE.c.object_id.in_(list(ids)))
            )

    def clear(self) -> None:
        db.session.execute(sa.delete(TABLE))


class PostgresEngine(_Engine):
    def tsquery(self, terms):
        configs = [*dict.fromkeys(lang.PG_CONFIGS.values()), lang.PG_FALLBACK]
        words = []
        for term in terms:
            # A term is letters and digits only: quoted, it is one word, never syntax.
            text = sa.literal(f"'{term}':*", sa.Text)
            forms = [sa.func.to_tsquery(_config(c), text) for c in configs]
            either = forms[0]
            for form in forms[1:]:
                either = either.op("||")(form)
            words.append(either.self_group())
        query = words[0]
        for word in words[1:]:
            query = query.op("&&")(word)
        return query

    def matching(self, terms, where):
        query = self.tsquery(terms)
        return TABLE, query, [TABLE.c.tsv.op("@@")(query), *where]

    def count(self, terms, where) -> int:
        table, _query, conditions = self.matching(terms, where)
        return db.session.scalar(select_count(table, conditions)) or 0

    def search(self, terms, where, *, limit, offset):
        table, query, conditions = self.matching(terms, where)
        rank = sa.func.ts_rank(table.c.tsv, query).label("rank")
        ranked = (
            sa.select(table.c.id, rank)
            .where(*conditions)
            .order_by(rank.desc(), table.c.date.desc().nulls_last(), table.c.id.desc())
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        entry = TABLE.alias("entry")
        config = sa.case(
            *[(entry.c.language == code, _config(n)) for code, n in lang.PG_CONFIGS.items()],
            else_=_config(lang.PG_FALLBACK),
        )
        marks = f"StartSel={MARK_START}, StopSel={MARK_END}"
        statement = (
            sa.select(
                entry.c.kind,
                entry.c.object_id,
                entry.c.group_id,
                entry.c.meeting_id,
                entry.c.language,
                entry.c.date,
                ranked.c.rank,
                sa.func.ts_headline(config, entry.c.title, query, marks + ", HighlightAll=true"),
                sa.func.ts_headline(
                    config,
                    sa.func.left(entry.c.body, 200_000),
                    query,
                    marks + ", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=' … '",
                ),
            )
            .join_from(ranked, entry, entry.c.id == ranked.c.id)
            .order_by(ranked.c.rank.desc(), entry.c.date.desc().nulls_last(), entry.c.id.desc())
        )
        return [tuple(r) for r in db.session.execute(statement)]


def _config(name: str):
    return sa.literal_column(f"'{name}'::regconfig")


def select_count(table, conditions):
    return sa.select(sa.func.count()).select_from(table).where(*conditions)


class SqliteEngine(_Engine):
    extra_columns = ("title_stems", "body_stems")

    def _values(self, entry) -> dict:
        values = _row(entry)
        if values["date"] is not None:  # as SQLAlchemy's SQLite DateTime stores it
            values["date"] = values["date"].strftime("%Y-%m-%d %H:%M:%S.%f")
        values["title_stems"] = lang.stems_of(values["title"], values["language"])
        values["body_stems"] = lang.stems_of(values["body"], values["language"])
        return values

    @staticmethod
    def forms(terms) -> list[set[str]]:
        """Each word's forms: its stem in every candidate language, and itself."""
        candidates = lang.candidate_languages()
        out = []
        for term in terms:
            forms = {lang.fold(term)}
            forms |= {lang.stem(lang.fold(term, code), code) for code in candidates}
            out.append({f for f in forms if f})
        return out

    def matching(self, terms, where):
        forms = self.forms(terms)
        # Quoted strings of letters and digits with a prefix star: never syntax.
        match = " AND ".join(
            "(" + " OR ".join(f'"{f}"*' for f in sorted(word)) + ")" for word in forms
        )
        fts = sa.table(FTS_NAME, sa.column("rowid"))
        fts_col = sa.literal_column(FTS_NAME)
        conditions = [fts_col.op("MATCH")(match), *where]
        joined = sa.join(TABLE, fts, fts.c.rowid == TABLE.c.id)
        return joined, fts_col, conditions, forms

    def count(self, terms, where) -> int:
        joined, _fts, conditions, _forms = self.matching(terms, where)
        return db.session.scalar(select_count(joined, conditions)) or 0

    def search(self, terms, where, *, limit, offset):
        joined, fts, conditions, forms = self.matching(terms, where)
        rank = sa.func.bm25(fts, 10.0, 1.0).label("rank")
        statement = (
            sa.select(
                TABLE.c.kind,
                TABLE.c.object_id,
                TABLE.c.group_id,
                TABLE.c.meeting_id,
                TABLE.c.language,
                TABLE.c.date,
                rank,
                TABLE.c.title,
                TABLE.c.body,
            )
            .select_from(joined)
            .where(*conditions)
            .order_by(rank, TABLE.c.date.desc(), TABLE.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        wanted = set().union(*forms)
        rows = []
        for r in db.session.execute(statement):
            rows.append(
                (
                    *r[:6],
                    -float(r.rank),  # bm25: smaller is better; report larger is better
                    mark(r.title, r.language, wanted, whole=True),
                    mark(r.body, r.language, wanted),
                )
            )
        return rows


def mark(text: str | None, language: str, wanted: set[str], *, whole=False, words=30) -> str:
    """``text`` with markers around the words whose stem starts with a wanted
    form; unless ``whole``, only a window of ``words`` words around the first."""
    text = text or ""
    found = []
    memo: dict[str, bool] = {}
    first = None
    spans = list(lang.WORD_RE.finditer(text)) if whole else None
    iterator = spans if spans is not None else lang.WORD_RE.finditer(text)
    window: list = []
    for match in iterator:
        folded = lang.fold(match.group(), language)
        hit = memo.get(folded)
        if hit is None:
            stemmed = lang.stem(folded, language)
            hit = any(stemmed.startswith(w) or folded.startswith(w) for w in wanted)
            memo[folded] = hit
        if not whole:
            window.append(match)
            if first is None:
                window = window[-10:]
            elif len(window) >= words:
                if hit:
                    found.append(match)
                break
        if hit:
            found.append(match)
            if first is None:
                first = match
    if whole:
        start, end = 0, len(text)
    elif first is None:
        return ""
    else:
        start, end = window[0].start(), window[-1].end()
    out, at = [], start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        out += [text[at : match.start()], MARK_START, match.group(), MARK_END]
        at = match.end()
    out.append(text[at:end])
    snippet = "".join(out)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + snippet + suffix if not whole else snippet
