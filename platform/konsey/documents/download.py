"""Serving a version's file: streamed, verified, with ranges and ETags.

Shared by the web pages and the API. The ETag is the file's SHA-256 (a
version never changes), so ``If-None-Match`` answers 304 without reading
the file, and ``Range`` answers 206 with only the bytes asked for; which of
them applies is decided by konsey.documents.preconditions (RFC 9110's order).
"""

from __future__ import annotations

import unicodedata
from typing import BinaryIO
from urllib.parse import quote

from flask import abort, request
from werkzeug.datastructures import ContentRange
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wrappers import Response
from werkzeug.wsgi import ClosingIterator, wrap_file

from konsey import audit, storage
from konsey.documents import embargo, preconditions, services
from konsey.models import DocumentVersion

# A downloaded file is never a page of this site: no scripts, no plugins.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266/5987)."""
    simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    simple = "".join(ch if ch.isprintable() and ch not in '"\\' else "_" for ch in simple)
    simple = simple.strip() or "download"
    quoted = quote(filename, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quoted}"


def media_type_header(version: DocumentVersion) -> str:
    if version.media_type.startswith("text/"):
        return f"{version.media_type}; charset=utf-8"
    return version.media_type


def file_response(actor: audit.Actor, version: DocumentVersion) -> Response:
    """The response for ``GET``/``HEAD …/versions/<n>/file`` (raises FileCorrupt)."""
    answer = preconditions.evaluate(
        request.method,
        request.headers,
        etag=version.sha256,
        last_modified=version.uploaded_at,
        size=version.size,
    )
    if answer.status == 412:
        abort(412)
    if answer.status == 416:
        raise RequestedRangeNotSatisfiable(length=version.size)
    response = Response(status=answer.status, direct_passthrough=True)
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(version.sha256)
    # Private and never stored: access can be withdrawn, and a shared or
    # public computer must keep no copy (a 304 still answers a known ETag).
    response.cache_control.private = True
    response.cache_control.no_store = True
    if answer.status == 304:
        # No bytes are sent, so there is nothing to verify (or to open).
        return response
    response.content_type = media_type_header(version)
    response.headers["Content-Disposition"] = content_disposition(
        embargo.marked_filename(version.document, version.filename)
    )
    response.last_modified = version.uploaded_at
    response.accept_ranges = "bytes"
    # A damaged file is refused before any header says otherwise (HEAD too).
    store = services.verified_store(actor, version)
    start, stop = answer.span or (0, version.size)
    if answer.span:
        response.content_range = ContentRange("bytes", start, stop, version.size)
    response.content_length = stop - start
    if request.method != "HEAD":
        response.response = _body(store.open(version.sha256), start, stop, version.size)
    return response


def _body(file: BinaryIO, start: int, stop: int, size: int):
    """The bytes [start, stop) of the file, streamed (the server's sendfile
    when the whole file is sent)."""
    if (start, stop) == (0, size):
        return wrap_file(request.environ, file)
    file.seek(start)
    return ClosingIterator(_read_span(file, stop - start), [file.close])


def _read_span(file: BinaryIO, length: int):
    while length > 0:
        chunk = file.read(min(storage.CHUNK, length))
        if not chunk:
            return
        length -= len(chunk)
        yield chunk
