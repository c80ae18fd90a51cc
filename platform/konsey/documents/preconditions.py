"""What a conditional or ranged GET/HEAD of a stored file is answered with.

RFC 9110 §13.2.2 fixes the order, and the order matters: a precondition is
evaluated before ``Range`` (``If-None-Match`` + ``Range`` on an unchanged
file is a 304, not a 206), and ``If-Range`` only decides whether ``Range``
applies at all. Werkzeug's ``Response.make_conditional`` looks at ``Range``
first, so the decision is made here, from the headers alone (no Flask
request object, no file opened).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.http import parse_date, parse_etags

_BYTES_RE = re.compile(r"\s*bytes\s*=(.*)", re.I | re.S)
_SPAN_RE = re.compile(r"(\d+)-(\d*)|-(\d+)")


@dataclass(frozen=True)
class Answer:
    """``status`` is 200, 206, 304, 412 or 416; ``span`` is the [start, stop)
    of the bytes a 206 sends."""

    status: int
    span: tuple[int, int] | None = None


def evaluate(
    method: str, headers: Mapping[str, str], *, etag: str, last_modified: datetime, size: int
) -> Answer:
    """The answer to a GET or HEAD of a file whose (strong) ETag is ``etag``."""
    modified = _seconds(last_modified)
    # 1. If-Match (strong comparison; "*" matches any existing file).
    if_match = headers.get("If-Match")
    if if_match is not None:
        if not parse_etags(if_match).contains(etag):
            return Answer(412)
    # 2. If-Unmodified-Since, only without If-Match.
    elif (since := _date(headers.get("If-Unmodified-Since"))) is not None and modified > since:
        return Answer(412)
    # 3. If-None-Match (weak comparison): 304 for GET and HEAD.
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if parse_etags(if_none_match).contains_weak(etag):
            return Answer(304 if method in ("GET", "HEAD") else 412)
    # 4. If-Modified-Since, only for GET/HEAD without If-None-Match.
    elif method in ("GET", "HEAD"):
        since = _date(headers.get("If-Modified-Since"))
        if since is not None and modified <= since:
            return Answer(304)
    # 5. Range (defined for GET only), unless If-Range says the client's copy is stale.
    range_value = headers.get("Range")
    if method != "GET" or range_value is None:
        return Answer(200)
    if_range = headers.get("If-Range")
    if if_range is not None and not _if_range_holds(if_range, etag, modified):
        return Answer(200)
    return _range_answer(range_value, size)


def _range_answer(value: str, size: int) -> Answer:
    match = _BYTES_RE.fullmatch(value)
    if match is None:
        return Answer(200)  # another range unit: ignored, the whole file is sent
    specs = [part.strip(" \t") for part in match.group(1).split(",")]
    specs = [spec for spec in specs if spec]
    if len(specs) > 1 or size == 0:
        # Several ranges would need multipart/byteranges; the server may
        # instead send the whole file (RFC 9110 §14.2), which every client takes.
        return Answer(200)
    span = _span(specs[0], size) if specs else None
    return Answer(206, span) if span else Answer(416)


def _span(spec: str, size: int) -> tuple[int, int] | None:
    """[start, stop) of one byte range, or None if invalid or unsatisfiable."""
    match = _SPAN_RE.fullmatch(spec)
    if match is None:
        return None
    first, last, suffix = match.groups()
    if suffix is not None:
        length = int(suffix)
        return (max(size - length, 0), size) if length > 0 else None
    start = int(first)
    stop = size if not last else int(last) + 1
    if stop <= start or start >= size:
        return None
    return start, min(stop, size)


def _if_range_holds(value: str, etag: str, modified: datetime) -> bool:
    value = value.strip()
    if value.startswith(('"', "W/")):
        # Strong comparison: a weak tag never matches.
        tags = parse_etags(value)
        return not tags.star_tag and tags.is_strong(etag)
    # A stored version never changes, so its Last-Modified is a strong validator.
    return _date(value) == modified


def _date(value: str | None) -> datetime | None:
    return parse_date(value) if value else None


def _seconds(moment: datetime) -> datetime:
    """HTTP dates have whole seconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0)
