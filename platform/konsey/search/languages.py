"""Word forms: which stemmer a text's language uses, and the words of a text.

PostgreSQL stems with its own per-language text search configurations
(created by migration 0016: ``konsey_russian`` and so on, each with
``unaccent`` when the extension is available); SQLite stores Snowball stems
computed here, at indexing and at query time, with the same algorithms.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import snowballstemmer
from flask import current_app

# ISO 639-1 → Snowball algorithm (the languages the council may write in that
# Snowball knows; any other language is matched word for word, unaccented).
SNOWBALL = {
    "ar": "arabic",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "hy": "armenian",
    "it": "italian",
    "ru": "russian",
    "tr": "turkish",
}
# Languages with a PostgreSQL configuration of their own (migration 0016);
# everything else uses konsey_simple (no stemming, unaccented).
PG_CONFIGS = {"ru": "konsey_russian", "tr": "konsey_turkish", "en": "konsey_english"}
PG_FALLBACK = "konsey_simple"

WORD_RE = re.compile(r"[^\W_]+")


def pg_config(language: str | None) -> str:
    return PG_CONFIGS.get((language or "").lower(), PG_FALLBACK)


def fold(word: str, language: str | None = None) -> str:
    """Lower-case and, except in Turkish, without accents (ç ğ ı ö ş ü are
    Turkish letters its stemmer needs; PostgreSQL's konsey_turkish keeps them too)."""
    if language == "tr":
        return unicodedata.normalize("NFC", word.replace("I", "ı").replace("İ", "i").lower())
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _stemmer(language: str):
    algorithm = SNOWBALL.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def stem(word: str, language: str | None) -> str:
    """The stem of one (folded) word in ``language``."""
    stemmer = _stemmer((language or "").lower())
    return stemmer.stemWord(word) if stemmer else word


def stems_of(text: str | None, language: str | None) -> str:
    """A text as its words' stems, space-separated (SQLite's indexed column)."""
    language = (language or "").lower()
    stemmer = _stemmer(language)
    seen: dict[str, str] = {}
    out = []
    for word in WORD_RE.findall(text or ""):
        folded = fold(word, language)
        stemmed = seen.get(folded)
        if stemmed is None:
            stemmed = stemmer.stemWord(folded) if stemmer else folded
            seen[folded] = stemmed
        out.append(stemmed)
    return " ".join(out)


def working_language() -> str:
    return (current_app.config.get("WORKING_LANGUAGE") or "en").lower()


def candidate_languages() -> tuple[str, ...]:
    """The languages a query may be written in: every document language and the
    working language (a query is stemmed in each; the forms are ORed)."""
    languages = list(current_app.config.get("DOCUMENT_LANGUAGES") or ())
    languages += [working_language(), "en", "ru", "tr"]
    return tuple(dict.fromkeys(code.lower() for code in languages))
