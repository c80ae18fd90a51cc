"""What a translation must keep of its English message, and the glossary a
language's catalog must follow. Used by the catalog tests and by translators'
own checks (``python -m tests.catalogs <lang>``)."""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "platform" / "konsey" / "translations"
LANGUAGES = ("tr", "ru", "az", "kk", "ky", "uz")

# A named or positional printf placeholder, a {token} (str.format, symbol
# patterns), an HTML tag with its attributes, a link.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]|\{[\w.]*\}")
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")
LINK = re.compile(r"https?://[^\s\"'<>)]*[^\s\"'<>).,;:]|mailto:[^\s\"'<>)]+")


def _kept(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text) + MARKUP.findall(text) + LINK.findall(text))


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def shared_forms(cat) -> frozenset[int]:
    """The plural forms that serve some number other than 1 (Russian's "one"
    form also serves 21, 31 …): such a form must show the count."""
    import gettext

    formula = gettext.c2py(cat.plural_expr)
    return frozenset(formula(n) for n in range(1001) if n != 1)


def problems(message, shared: frozenset[int] = frozenset()) -> list[str]:
    """What a translated message drops or changes of its English original
    (``shared``: the plural forms that serve more numbers than 1)."""
    if not message.id or not all(forms(message)):
        return []
    if isinstance(message.id, str):
        expected = _kept(message.id)
        got = _kept(message.string)
        if got != expected:
            return [_difference(message.id, expected, got)]
        return []
    singular, plural = _kept(message.id[0]), _kept(message.id[1])
    found = []
    for n, text in enumerate(forms(message)):
        got = _kept(text)
        # A form may leave out what only one English form has (the count in
        # "one document"), never add or change a placeholder: the first form
        # holds to the English singular (as `pybabel compile` checks), the
        # others to the plural. A form that serves more numbers than 1 shows
        # the count, so the English singular must have it too.
        allowed = singular if n == 0 else plural
        required = plural if n in shared else singular & plural
        if (got - allowed) or (required - got):
            found.append(_difference(f"{message.id[0]} [form {n}]", plural, got))
    return found


def compile_problems(cat) -> list[str]:
    """What `pybabel compile` (``make``) refuses: Babel's own checkers."""
    return [f"{msgid(m)!r}: {error}" for m, errors in cat.check() for error in errors]


def _difference(where: str, expected: Counter, got: Counter) -> str:
    lost = sorted((expected - got).elements())
    added = sorted((got - expected).elements())
    return f"{where!r}: lost {lost}, added or changed {added}"


@dataclass
class Term:
    en: str
    term: str
    forms: list[str]
    source: str
    pattern: str | None = None
    skip: list[str] = field(default_factory=list)
    note: str = ""

    def applies(self, message) -> bool:
        if msgid(message) in self.skip:
            return False
        pattern = self.pattern or rf"\b{re.escape(self.en)}\b"
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        return any(re.search(pattern, text, re.IGNORECASE) for text in ids)

    def followed(self, message) -> bool:
        text = _fold(" ".join(forms(message)))
        return any(_fold(form) in text for form in self.forms)


def _fold(text: str) -> str:
    """Case-insensitive as Turkic readers see it: "İclas" is "iclas" (Python
    would fold İ to i plus a combining dot)."""
    return text.replace("İ", "i").casefold()


# The domain's terms every glossary settles (a glossary may add more).
REQUIRED_TERMS = (
    "minutes",
    "head of delegation",
    "note verbale",
    "working group",
    "silence procedure",
    "agenda",
    "member state",
    "delegation",
    "coordinator",
    "observer",
    "secretariat",
    "reservation",
    "embargo",
)


def glossary_path(language: str) -> Path:
    return TRANSLATIONS / language / "glossary.toml"


def glossary(language: str) -> list[Term]:
    data = tomllib.loads(glossary_path(language).read_text(encoding="utf-8"))
    return [Term(**entry) for entry in data["term"]]


def glossary_problems(language: str) -> list[str]:
    terms = glossary(language)
    settled = {term.en for term in terms}
    found = [f"the glossary has no entry for {t!r}" for t in REQUIRED_TERMS if t not in settled]
    messages = [m for m in catalog(language) if m.id and all(forms(m))]
    for term in terms:
        for message in messages:
            if term.applies(message) and not term.followed(message):
                found.append(
                    f"{term.en!r} should be {term.term!r} ({' / '.join(term.forms)}) in "
                    f"{msgid(message)!r} → {' | '.join(forms(message))!r}"
                )
    return found


def main(language: str) -> int:
    cat = catalog(language)
    found = [p for m in cat for p in problems(m, shared_forms(cat))] + compile_problems(cat)
    missing = [msgid(m) for m in cat if m.id and (not all(forms(m)) or m.fuzzy)]
    if glossary_path(language).exists():
        found += glossary_problems(language)
    else:
        found.append(f"no glossary at {glossary_path(language)}")
    for line in found:
        print(line)
    print(f"{language}: {len(missing)} untranslated, {len(found)} problems")
    return 1 if found or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
