"""Names of countries, member states and languages as the reader says them.

One rule, from CLDR through Babel: a member state is called by the official
name an admin gave for the reader's language, else by CLDR's name of its ISO
3166 code in that language, else by its stored English name (a code CLDR does
not know). The English name an admin typed is the state's official English
name. A language is named in the reader's language, except in the language
switch, where each language is named in its own.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

# Turkic languages in Latin letters write a capital dotted İ for i.
_DOTTED_CAPITAL_I = {"tr", "az"}


@lru_cache(maxsize=64)
def cldr_locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def reader_locale(locale=None) -> str:
    """``locale`` as a string, else the locale of the page or email being made."""
    if locale:
        return str(locale)
    current = get_locale()
    return str(current) if current else "en"


def capitalised(text: str, language: str) -> str:
    """``text`` with a capital first letter, as ``language`` writes it."""
    if not text:
        return text
    first = text[0]
    if first == "i" and language.split("_")[0] in _DOTTED_CAPITAL_I:
        return "İ" + text[1:]
    return first.upper() + text[1:]


def country_name(code: str, locale=None) -> str | None:
    """CLDR's name of the territory ``code`` (ISO 3166-1 alpha-2) in ``locale``."""
    cldr = cldr_locale(reader_locale(locale))
    if cldr is None or not code:
        return None
    return cldr.territories.get(code.upper())


def state_name(code: str, name: str, names: dict | None, locale=None) -> str:
    """A member state's name for a reader of ``locale`` (the rule above)."""
    language = reader_locale(locale)
    official = (names or {}).get(language)
    if official:
        return official
    if language.split("_")[0] == "en" and name:
        return name
    return country_name(code, language) or name


def language_name(code: str, locale=None, capital: bool = True) -> str:
    """The language ``code`` in the reader's language (``Kazakh``, ``Казахский``;
    ``казахский`` within a sentence, without ``capital``); the code itself when
    CLDR does not know it."""
    reader = reader_locale(locale)
    language = cldr_locale(code)
    name = language.get_display_name(reader) if language is not None else None
    if not name:
        return code
    return capitalised(name, reader) if capital else name


def own_language_name(code: str) -> str:
    """The language ``code`` in its own name (``Қазақ тілі``), for the switch."""
    language = cldr_locale(code)
    name = language.get_display_name(code) if language is not None else None
    return capitalised(name, code) if name else code


def ordered_by_name(states, locale=None) -> list[tuple]:
    """``(state, name)`` pairs in the reader's alphabetical order of the names."""
    from konsey.collation import sort_key

    language = reader_locale(locale)
    named = [(s, s.display_name(language)) for s in states]
    return sorted(named, key=lambda pair: (sort_key(pair[1], language), pair[0].code))
