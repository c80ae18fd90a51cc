"""The difference between two versions of the minutes: word by word over
the rendered (sanitised) text blocks, and decision by decision."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from html.parser import HTMLParser

from konsey.text import render_markdown

BLOCK_TAGS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "pre",
    "blockquote",
    "dt",
    "dd",
}


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass
class Block:
    """One text block (a paragraph, heading, list item…) of the new version,
    with the words added and removed; ``kind`` is "same", "added", "removed"
    or "changed"."""

    kind: str
    tag: str
    segments: list[Segment] = field(default_factory=list)


class _Blocks(HTMLParser):
    """The text of each block of rendered HTML, in order (tags dropped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._stack: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush_open()
            self._stack.append((tag, []))

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS and self._stack:
            name, words = self._stack.pop()
            self._emit(name, words)

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][1].append(data)
        elif data.strip():
            self.blocks.append(("p", data))

    def _flush_open(self):
        # A block nested in another (a paragraph in a list item): the outer
        # block's text so far becomes its own block.
        if self._stack and "".join(self._stack[-1][1]).strip():
            name, words = self._stack[-1]
            self._emit(name, words)
            self._stack[-1] = (name, [])

    def _emit(self, name, words):
        text = " ".join("".join(words).split())
        if text:
            self.blocks.append((name, text))


def blocks_of(markdown: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(str(render_markdown(markdown)))
    parser.close()
    return parser.blocks


def diff_words(old: str, new: str) -> list[Segment]:
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", " ".join(b[j1:j2])))
    return segments


def diff_blocks(old: str, new: str) -> list[Block]:
    """The rendered blocks of ``new`` compared with ``old``, word by word."""
    a, b = blocks_of(old), blocks_of(new)
    # autojunk keeps a text of many repeated blocks from taking quadratic time.
    matcher = difflib.SequenceMatcher(a=[t for _, t in a], b=[t for _, t in b])
    result: list[Block] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [Block("same", name, [Segment("same", text)]) for name, text in b[j1:j2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        for (_, old_text), (name, new_text) in zip(olds[:paired], news[:paired], strict=True):
            result.append(Block("changed", name, diff_words(old_text, new_text)))
        result += [Block("removed", n, [Segment("removed", t)]) for n, t in olds[paired:]]
        result += [Block("added", n, [Segment("added", t)]) for n, t in news[paired:]]
    return result


def summary(blocks: list[Block]) -> dict[str, int]:
    counts = {"added": 0, "removed": 0}
    for block in blocks:
        for segment in block.segments:
            if segment.kind in counts:
                counts[segment.kind] += len(segment.text.split())
    return counts


@dataclass
class DecisionChange:
    kind: str  # "added", "removed", "changed" or "same"
    decision_id: int
    old: object | None  # VersionDecision of the old version
    new: object | None  # VersionDecision of the new version
    segments: list[Segment] = field(default_factory=list)
    agenda_item_changed: bool = False
    number_changed: bool = False


def diff_decisions(old: list, new: list) -> list[DecisionChange]:
    """Decisions of two versions compared by decision: in the new version's
    order, then those the new version removed."""
    before = {d.decision_id: d for d in old}
    changes = []
    for d in new:
        was = before.pop(d.decision_id, None)
        if was is None:
            changes.append(DecisionChange("added", d.decision_id, None, d))
            continue
        item_changed = was.agenda_item_id != d.agenda_item_id
        text_changed = was.text != d.text
        kind = "changed" if item_changed or text_changed else "same"
        changes.append(
            DecisionChange(
                kind,
                d.decision_id,
                was,
                d,
                diff_words(was.text, d.text) if text_changed else [],
                agenda_item_changed=item_changed,
                number_changed=was.position != d.position,
            )
        )
    changes += [DecisionChange("removed", d.decision_id, d, None) for d in before.values()]
    return changes
