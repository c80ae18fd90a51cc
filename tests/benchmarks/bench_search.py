"""Search at scale: the time to rebuild the index, and the median of 20 typical
queries, over ``generate --scale $BENCH_SCALE`` (the issue asks for 20).

    BENCH_SCALE=20 make bench PYTEST_ARGS="-k search"

Runs in-process against the benchmark's PostgreSQL database (``dataset`` in
conftest.py), as the head of a delegation of a generated group, through
``GET /api/v1/search``; also counts each search's SQL statements (the bound:
at most 8, whatever the data).
"""

from __future__ import annotations

import statistics
import subprocess
import time

import sqlalchemy as sa

from tests.benchmarks import support
from tests.benchmarks.bench_pages import _counting, _local_app, pages_of
from tests.benchmarks.conftest import PASSWORD

# Typical searches: topics, word forms, a prefix, filters, a rare and an absent word.
QUERIES = [
    "training programme",
    "training",
    "programmes",
    "interoperability framework",
    "satellite",
    "satellite capacity",
    "digital signatures",
    "fibre",
    "cybercrime",
    "open data",
    "national strategy",
    "work plan",
    "roadmap",
    "legislation",
    "meeting",
    "inform secretariat",
    "contact point",
    "progress reports",
    "spectrum coord",
    "nothingmatchesthis",
]
FILTERED = {
    "training": {"kind": "action"},
    "fibre": {"kind": "document"},
    "meeting": {"kind": "agenda_item"},
    "legislation": {"from": "2024-01-01"},
}
MAX_QUERIES = 8


def test_reindex_and_typical_queries(dataset):
    from tests.conftest import Client

    started = time.perf_counter()
    result = subprocess.run(
        [str(support.BIN / "flask"), "--app", "wsgi", "konsey", "reindex"],
        cwd=support.ROOT,
        env=dataset.env,
        capture_output=True,
        text=True,
    )
    reindex_s = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-2000:]
    print(f"\n{result.stdout.strip()}  [wall {reindex_s:.1f} s]")

    engine = sa.create_engine(dataset.url)
    with engine.connect() as conn:
        entries = conn.scalar(sa.text("SELECT count(*) FROM search_index"))
    engine.dispose()

    app = _local_app(dataset)
    email, _pages = pages_of(dataset.url, "wg")
    client = Client(app)
    assert client.login(email, PASSWORD).status_code == 302
    client.http.get("/api/v1/search?q=warm")  # per-process work is not per-query work
    times, counts, totals = [], {}, {}
    for q in QUERIES:
        params = {"q": q, **FILTERED.get(q, {})}
        with _counting(app) as statements:
            start = time.perf_counter()
            response = client.http.get("/api/v1/search", query_string=params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        counts[q] = len(statements)
        totals[q] = response.get_json()["total"]
    median = statistics.median(times)
    print(f"search index: {entries} entries; reindex {reindex_s:.1f} s")
    for q, ms in zip(QUERIES, times, strict=True):
        print(f"  {q:<28} {ms:8.1f} ms  {totals[q]:7} results  {counts[q]} queries")
    print(f"median of {len(QUERIES)} searches: {median:.1f} ms; slowest {max(times):.1f} ms")
    support.record(
        "search",
        {
            "scale": support.SCALE,
            "entries": entries,
            "reindex_seconds": round(reindex_s, 1),
            "median_ms": round(median, 1),
            "max_ms": round(max(times), 1),
            "queries_per_search": max(counts.values()),
            "per_query": {
                q: {"ms": round(ms, 1), "results": totals[q], "statements": counts[q]}
                for q, ms in zip(QUERIES, times, strict=True)
            },
        },
    )
    assert totals["training programme"] > 0 and totals["nothingmatchesthis"] == 0
    assert max(counts.values()) <= MAX_QUERIES, counts
