"""A PDF Konsey makes (``samples.make_pdf`` on fpdf2 with ``konsey.fonts``)
in each of the seven languages: every font is embedded, and poppler's
``pdftotext`` gives back exactly the text written — no missing glyph, no
"?" — for the member states' names as CLDR spells them in that language
and the letters of each alphabet (ə ğ ı ş ç ö ü; ә ғ қ ң ө ұ ү һ і; oʻ gʻ)."""

from __future__ import annotations

import shutil
import subprocess

import babel
import pytest

from konsey.documents import samples
from tests.conftest import IN_CI

# The member and observer states of the council, and Russia (its language).
STATES = ("AZ", "KZ", "KG", "TR", "UZ", "TM", "HU", "RU")
LETTERS = {
    "en": ["Organization of Turkic States: minutes, note verbale."],
    "tr": ["Türk Devletleri Teşkilatı: ğ ı ş ç ö ü İ Ğ Ş Ç Ö Ü."],
    "ru": ["Совещание министров: ё Ё ъ ы э ю я Й Щ."],
    "az": ["Azərbaycan Respublikası: ə ğ ı ş ç ö ü Ə Ğ I İ Ş Ç Ö Ü."],
    "kk": ["Қазақстан: ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І."],
    "ky": ["Кыргыз Республикасы: ң ө ү Ң Ө Ү ё Ё."],
    "uz": ["Oʻzbekiston Respublikasi: oʻ gʻ Oʻ Gʻ sh ch, maʼlumot."],
}
# Always in: the letters of the other alphabets, whatever the language.
EVERY_ALPHABET = "ə ğ ı ş ç ö ü ә ғ қ ң ө ұ ү һ і oʻ gʻ"

POPPLER = shutil.which("pdffonts") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not POPPLER and not IN_CI, reason="poppler-utils not installed (apt install poppler-utils)"
)


def _lines(language: str) -> list[str]:
    names = babel.Locale.parse(language).territories
    return [
        *LETTERS[language],
        ", ".join(names[code] for code in STATES[:4]),
        ", ".join(names[code] for code in STATES[4:]),
        EVERY_ALPHABET,
    ]


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@needs_poppler
@pytest.mark.parametrize("language", sorted(LETTERS))
def test_a_pdf_in_each_language_embeds_its_fonts_and_gives_back_its_text(tmp_path, language):
    lines = _lines(language)
    assert all(lines) and "?" not in "".join(lines)
    path = tmp_path / f"{language}.pdf"
    path.write_bytes(samples.make_pdf(lines, language=language))

    rows = _run("pdffonts", str(path)).splitlines()[2:]
    assert rows, "the PDF names no font"
    # name, type (may have spaces), encoding, emb, sub, uni, object, id
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not_embedded == [], not_embedded
    assert all(row.split()[-3] == "yes" for row in rows), rows  # a ToUnicode map

    text = _run("pdftotext", "-enc", "UTF-8", str(path), "-")
    got = [line for line in text.replace("\f", "").splitlines() if line.strip()]
    assert got == lines
    assert "?" not in text and "\ufffd" not in text


def test_the_state_names_are_in_each_language():
    """The names come from CLDR in the language itself (not English kept)."""
    english = babel.Locale.parse("en").territories
    for language in sorted(set(LETTERS) - {"en"}):
        names = babel.Locale.parse(language).territories
        assert names["KZ"] != english["KZ"], language
    assert babel.Locale.parse("uz").territories["UZ"] == "Oʻzbekiston"
