"""English left in a page or an email shown in another language.

The English of every catalog message is cut at its placeholders, markup and
links into fragments; a fragment long enough to be a phrase (two words, or
ten letters) that its language's translations do not themselves contain
(product names, codes) must not appear in what the reader sees. Data (names,
titles, texts people typed) is taken out first: it is in whatever language
its author wrote.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

from tests import catalogs

_CUT = re.compile(
    "|".join(p.pattern for p in (catalogs.PLACEHOLDER, catalogs.MARKUP, catalogs.LINK)) + r"|%%|\n"
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")
# What a person reads besides the text: a control's name, a hint, a tooltip.
_READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_UNREAD = {"script", "style", "template"}


def squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _is_phrase(fragment: str) -> bool:
    return len(_WORD.findall(fragment)) >= 2 or len(_LETTER.findall(fragment)) >= 10


def _pieces(english: str) -> list[str]:
    found = []
    for piece in _CUT.split(html.unescape(english)):
        piece = squeeze(piece).strip(" .,:;·—–-()[]\"'«»“”…?!/|")
        if piece and _is_phrase(piece):
            found.append(piece)
    return found


@dataclass(frozen=True)
class Fragment:
    text: str
    msgid: str


@cache
def fragments(language: str) -> tuple[Fragment, ...]:
    """The English phrases that must not show in ``language``."""
    catalog = catalogs.catalog(language)
    messages = [m for m in catalog if m.id]
    everything = " ".join(" ".join(catalogs.forms(m)) for m in messages).casefold()
    found: dict[str, Fragment] = {}
    for message in messages:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        translation = " ".join(catalogs.forms(message)).casefold()
        for english in ids:
            for piece in _pieces(english):
                folded = piece.casefold()
                if folded in translation or folded in everything:
                    continue  # a name or a code the translation keeps
                found.setdefault(piece, Fragment(piece, catalogs.msgid(message)))
    return tuple(sorted(found.values(), key=lambda f: -len(f.text)))


@cache
def _matcher(language: str) -> re.Pattern:
    alternatives = "|".join(re.escape(f.text) for f in fragments(language))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def english_in(text: str, language: str) -> list[Fragment]:
    """The English fragments found in ``text`` (each once)."""
    by_text = {f.text: f for f in fragments(language)}
    seen = dict.fromkeys(m.group(0) for m in _matcher(language).finditer(text))
    return [by_text[t] for t in seen]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _UNREAD:
            self._skip += 1
        values = dict(attrs)
        for name in _READ_ATTRIBUTES:
            if values.get(name):
                self.parts.append(f" {values[name]} ")
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(f" {values['value']} ")

    def handle_endtag(self, tag):
        if tag in _UNREAD and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """What a reader of the page reads (and hears): its text, the names and
    hints of its controls; no scripts, styles or tags. Each element's text
    stands apart, so the text of two elements never runs into one phrase."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ¦ ".join(squeeze(p) for p in parser.parts if p.strip())


def without_data(text: str, data: re.Pattern | None) -> str:
    return data.sub(" ¤ ", text) if data is not None else text


def data_pattern(values) -> re.Pattern | None:
    """One pattern for the data strings (longest first), to take them out."""
    values = sorted(
        {squeeze(v) for v in values if v and len(squeeze(v)) >= 3}, key=len, reverse=True
    )
    if not values:
        return None
    return re.compile("|".join(re.escape(v) for v in values))
