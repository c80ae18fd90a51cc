"""Sample PDFs show and give back the text of every council language: the font
is embedded (only the glyphs used) with a ToUnicode map, and the project's own
extraction, in its sandboxed child process, reads the very same text."""

from __future__ import annotations

import io
import shutil
import subprocess
import time

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from konsey import fonts
from konsey.documents import extract, files, samples, sandbox

# Lines that fit the page's width (a longer one wraps: see the test of long lines).
TEXTS = {
    "ru": [
        "Рабочая группа по кибербезопасности",
        "Предложения по сотрудничеству в области кибербезопасности",
        "Съезд, объём, ёлка: Ё Ъ Ы Э Ю Я.",
    ],
    "tr": [
        "Türk Konseyi BİT Bakanları Toplantısı",
        "Siber güvenlik alanında işbirliği; ĞÜŞİÖÇ ğüşıöç.",
    ],
    "az": ["Azərbaycan Respublikası Rabitə Nazirliyi: Ə ə"],
    "kk": ["Қазақстан: ақпарат, қауіпсіздік, ғылым", "үкімет, ұлттық, өңір, һ Һ І"],
    "ky": ["Кыргыз Республикасы: өнүктүрүү, ң Ң Ө Ү"],
    "en": ["Proposals for cooperation (2017) \\ 100%", "«quoted» – “done”…"],
}


def _sandboxed_text(tmp_path, data: bytes) -> str:
    """What the search index gets: the extraction child's text of the file."""
    path = tmp_path / "sample.pdf"
    path.write_bytes(data)
    outcome = sandbox.run(path, files.PDF.media_type, sandbox.Limits())
    assert outcome.status == sandbox.DONE, outcome.detail
    return outcome.text


def _fonts(data: bytes) -> list:
    reader = PdfReader(io.BytesIO(data))
    return [
        font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_extraction_gives_back_the_text_exactly(tmp_path, language):
    lines = TEXTS[language]
    text = _sandboxed_text(tmp_path, samples.make_pdf(lines, language=language))
    assert text == extract.normalise("\n".join(lines))
    assert "?" not in text
    assert "\ufffd" not in text


def test_the_font_is_embedded_with_a_to_unicode_map():
    data = samples.make_pdf(TEXTS["ru"] + TEXTS["tr"])
    [font] = _fonts(data)
    assert font["/Subtype"] == "/Type0"
    assert "/ToUnicode" in font
    [descendant] = font["/DescendantFonts"]
    descriptor = descendant.get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # the TrueType program itself, in the file
    assert "+DejaVuSans" in font["/BaseFont"]  # a subset (tag+name) of the shipped font
    # A subset: only the glyphs used travel (the whole font is 760 KB).
    program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    used = set("".join(TEXTS["ru"] + TEXTS["tr"]))
    # (accented letters bring their parts: İ is I and a dot)
    assert len(used) < len(program.getGlyphOrder()) < len(used) + 40 < 6_000
    assert len(data) < 40_000
    # Every letter has an outline in the embedded program (none drawn as a blank box).
    glyphs = program["glyf"]
    drawn = [name for name in program.getGlyphOrder()[1:] if glyphs[name].numberOfContours != 0]
    assert len(drawn) >= len(used - {" "})


def test_the_map_gives_each_turkish_and_kazakh_letter_its_own_code():
    # İ/i and I/ı are four letters, Kazakh і is not Latin i: the ToUnicode map keeps them apart.
    lines = ["İ i I ı", "і І Ә ә ə Ə"]
    reader = PdfReader(io.BytesIO(samples.make_pdf(lines)))
    assert reader.pages[0].extract_text().splitlines() == lines


def test_text_outside_the_council_scripts_uses_the_whole_font(tmp_path):
    lines = ["Ελληνικά και ქართული: Greek and Georgian"]
    assert fonts.sans_for(lines[0]) == fonts.SANS
    assert fonts.sans_for("Қазақ тілі") != fonts.SANS  # the cut, made once per process
    assert _sandboxed_text(tmp_path, samples.make_pdf(lines)) == lines[0]


def test_long_lines_wrap_onto_pages_and_keep_every_word(tmp_path):
    words = [f"сотрудничество{n}" for n in range(600)]
    data = samples.make_pdf(["Рабочий документ", " ".join(words)])
    assert len(PdfReader(io.BytesIO(data)).pages) > 1
    assert _sandboxed_text(tmp_path, data).split() == ["Рабочий", "документ", *words]


def test_properties_and_repeatability():
    data = samples.make_pdf(["Рабочий документ", "Текст."], language="ru")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Рабочий документ"
    assert reader.trailer["/Root"]["/Lang"] == "ru"
    titled = PdfReader(io.BytesIO(samples.make_pdf(["x"], title="Çalışma belgesi")))
    assert titled.metadata.title == "Çalışma belgesi"
    assert samples.make_pdf(["Рабочий документ", "Текст."], language="ru") == data
    assert len(PdfReader(io.BytesIO(samples.make_pdf([]))).pages) == 1  # a blank page


def test_a_sample_pdf_takes_milliseconds():
    samples.make_pdf(["warm-up"])
    started = time.perf_counter()
    for n in range(10):
        samples.make_pdf([f"Рабочая группа {n}", "Türk Konseyi, Қазақстан, Azərbaycan."])
    per_file = (time.perf_counter() - started) / 10
    print(f"make_pdf: {per_file * 1000:.0f} ms a file")
    assert per_file < 0.25  # about 0.02-0.03 s here; tests and the demo make many


def test_the_font_and_its_license_ship_with_the_package():
    assert fonts.SANS.is_file()
    assert "Bitstream Vera" in fonts.LICENSE.read_text()
    assert TTFont(fonts.SANS)["name"].getDebugName(1) == "DejaVu Sans"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_poppler_sees_an_embedded_subset_with_unicode_map(tmp_path):
    path = tmp_path / "ru.pdf"
    path.write_bytes(samples.make_pdf(TEXTS["ru"]))
    report = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    [row] = report.stdout.splitlines()[2:]
    # name, type, encoding, emb, sub, uni, object, id
    assert "+DejaVuSans" in row and "CID TrueType" in row
    assert row.split()[-5:-2] == ["yes", "yes", "yes"]
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True)
    assert extract.normalise(text.stdout) == "\n".join(TEXTS["ru"])
