"""Serving a version's file: streamed, verified, with ranges and ETags.

Shared by the web pages and the API. The ETag is the file's SHA-256 (a
version never changes), so ``If-None-Match`` answers 304 without reading
the file, and ``Range`` answers 206 with only the bytes asked for.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import request
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from konsey import audit
from konsey.documents import services
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
    """The response for ``GET …/versions/<n>/file`` (raises FileCorrupt)."""
    # A 304 sends no bytes, so there is nothing to verify (or to open).
    unchanged = request.if_none_match.contains(version.sha256)
    body = None
    if not unchanged:
        store = services.verified_store(actor, version)
        body = wrap_file(request.environ, store.open(version.sha256))
    response = Response(body, content_type=media_type_header(version), direct_passthrough=True)
    response.content_length = version.size
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(version.sha256)
    response.last_modified = version.uploaded_at
    # Private and never stored: access can be withdrawn, and a shared or
    # public computer must keep no copy (a 304 still answers a known ETag).
    response.cache_control.private = True
    response.cache_control.no_store = True
    try:
        return response.make_conditional(
            request.environ, accept_ranges=True, complete_length=version.size
        )
    except RequestedRangeNotSatisfiable:
        response.close()
        raise
