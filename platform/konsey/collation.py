"""Alphabetical order in a given language, with the standard library only.

PyICU is not a dependency of Konsey (a compiled library the embedded default
must not need) and ``locale.strxfrm`` depends on the locales the server has
installed, so lists ordered by name use this key: the alphabet of the
language where Konsey knows it (Turkish: ç after c, ğ after g, dotless ı
before i, ö after o, ş after s, ü after u; Russian: ё after е; Azerbaijani,
Kazakh, Kyrgyz likewise), and for any other language the letters
without their accents (Å sorts with A), then the accented form breaks ties.
"""

from __future__ import annotations

import unicodedata

# Lower-case alphabets, in order. Latin q/w/x are kept where English puts them
# so that foreign names still sort sensibly.
ALPHABETS = {
    "tr": "abcçdefgğhıijklmnoöpqrsştuüvwxyz",
    "az": "abcçdeəfgğhxıijkqlmnoöprsştuüvwyz",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ky": "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя",
}
# Turkic languages written in Latin letters lower-case I as dotless ı.
DOTLESS_I = {"tr", "az"}


def _lower(text: str, language: str) -> str:
    if language in DOTLESS_I:
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def _base(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or char


def sort_key(text: str, language: str = "en") -> tuple:
    """A key that orders ``text`` alphabetically in ``language`` (a code such as
    "tr" or "ru-RU"; unknown languages get the accent-blind order)."""
    language = (language or "en").split("-")[0].split("_")[0].lower()
    alphabet = ALPHABETS.get(language, "")
    rank = {c: i for i, c in enumerate(alphabet)}
    lowered = _lower(unicodedata.normalize("NFC", text or ""), language)
    primary = []
    for char in lowered:
        if char in rank:
            primary.append((1, rank[char], ""))
        elif char.isalnum():
            base = _base(char)
            primary.append((1, rank[base], "") if base in rank else (2, 0, base))
        else:
            primary.append((0, 0, char))  # spaces and punctuation first
    return (tuple(primary), lowered, text or "")
