"""A list of common and breached passwords shipped with Konsey (no network call)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def _passwords() -> frozenset[str]:
    # Read once per process, on the first password that is checked.
    with gzip.open(LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def is_common(password: str) -> bool:
    """Case-insensitively on the list (the list itself is lower case)."""
    return (password or "").strip().lower() in _passwords()
