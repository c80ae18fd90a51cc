"""Names of the files in a meeting's ZIP: from the symbol when there is one,
never a path, unique whatever the case."""

from __future__ import annotations

from types import SimpleNamespace

from konsey.documents import bundle


def _name(symbol, filename, language="ru"):
    return bundle.entry_name(
        SimpleNamespace(symbol=symbol), SimpleNamespace(filename=filename, language=language)
    )


def test_a_symbol_names_the_file_with_its_slashes_replaced():
    assert _name("TC/ICT/CS/2026/3", "paper.pdf") == "TC_ICT_CS_2026_3-ru.pdf"
    assert _name("TC/ICT/2026/1/Rev.1", "paper.docx", "en") == "TC_ICT_2026_1_Rev.1-en.docx"


def test_without_a_symbol_the_uploaded_name_is_kept_and_made_safe():
    assert _name(None, "Доклад.pdf") == "Доклад.pdf"
    assert _name(None, "../../etc/passwd") == "etc_passwd"
    assert _name(None, "no-extension") == "no-extension"
    assert _name(None, ".pdf") == "pdf"  # a dot file: its name is its stem


def test_names_are_unique_case_insensitively():
    taken = {"sha256sums"}
    assert bundle._unique("Paper.pdf", taken) == "Paper.pdf"
    assert bundle._unique("paper.PDF", taken) == "paper (2).PDF"
    assert bundle._unique("Paper.pdf", taken) == "Paper (3).pdf"
    assert bundle._unique("SHA256SUMS", taken) == "SHA256SUMS (2)"
