"""Where to send the browser back to: the one check of every ``next`` address.

A ``next`` value comes from the visitor (a link anyone can craft), so only a
path of this site that the app itself routes is followed; anything else goes
to the fallback. Browsers are lenient readers of addresses: they drop tabs and
newlines, read ``\\`` as ``/`` and ``//host`` as another site, and a value may
be percent-encoded several times over. The check therefore looks at the value
as a browser might end up reading it, and refuses on any doubt.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Longer than any address the app makes, short enough to check cheaply.
MAX_LENGTH = 2000
# Enough for any honest value; more layers of encoding are a probe.
MAX_DECODINGS = 4


def _decoded(value: str) -> str | None:
    """The value with its percent-encodings undone until nothing changes
    (None if it keeps changing: an attack, not an address)."""
    for _ in range(MAX_DECODINGS):
        once = unquote(value)
        if once == value:
            return value
        value = once
    return None


def _looks_local(value: str) -> bool:
    """A path on this site, however a browser reads it."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        return False  # tab, CR, LF, NUL, invisible format characters
    # Fullwidth and other look-alike slashes and colons become their ASCII selves.
    value = unicodedata.normalize("NFKC", value).replace("\\", "/")
    if not value.startswith("/") or value.startswith("//"):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def _routable(path: str) -> bool:
    """The app has a page for this path (a GET route)."""
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True  # e.g. "/admin" → "/admin/": still one of ours
    except HTTPException:
        return False
    return True


def safe_next(value: object, fallback: str) -> str:
    """``value`` if it is a page of this app, else ``fallback``."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return fallback
    if "\\" in value or not _looks_local(value):
        return fallback
    decoded = _decoded(value)
    if decoded is None or "\\" in decoded or not _looks_local(decoded):
        return fallback
    if not _routable(unquote(urlsplit(value).path)):
        return fallback
    return value
