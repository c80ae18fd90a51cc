"""The difference between two versions of the minutes, line by line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added" or "removed"
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Lines of ``new`` compared with ``old``: kept, added or removed."""
    a, b = old.splitlines(), new.splitlines()
    # autojunk (the default) keeps a text of many repeated lines from taking
    # quadratic time; the result is still a correct, if less minimal, diff.
    matcher = difflib.SequenceMatcher(a=a, b=b)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in a[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in a[i1:i2]]
        lines += [DiffLine("added", line) for line in b[j1:j2]]
    return lines


def summary(lines: list[DiffLine]) -> dict[str, int]:
    return {
        "added": sum(1 for line in lines if line.kind == "added"),
        "removed": sum(1 for line in lines if line.kind == "removed"),
    }
