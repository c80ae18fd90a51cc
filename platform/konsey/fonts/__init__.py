"""The fonts Konsey ships for the PDFs it writes: the one place that knows their paths.

DejaVu Sans (``SANS``; license in ``LICENSE`` beside it) has the letters of every
language of the council: Latin with Turkish, Azerbaijani, Uzbek, Turkmen and
Hungarian letters (ğ ş ı İ ə ő ...) and Cyrillic with Kazakh and Kyrgyz ones
(қ ғ ү ұ ө һ і ң). A PDF that embeds it shows its text on any reader, and with
the ToUnicode map fpdf2 writes, its text can be copied and searched.

Parsing the whole font (6,000 glyphs) is most of the time a PDF takes, so
``sans_for`` hands out a cut of it to the council's scripts (``SCRIPTS``),
made once per process, whenever a text needs no more; fpdf2 then embeds only
the glyphs a document uses in either case.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
SANS = FOLDER / "DejaVuSans.ttf"
LICENSE = FOLDER / "LICENSE"

# Unicode ranges of the cut (fewer glyphs parse faster): Latin (basic,
# Latin-1, Extended-A and -B, ə, Uzbek ʻ ʼ, spacing accents), Cyrillic and its
# supplement, dashes, quotes, ellipsis, per mille, currency (₸ ₺ ₼ ₽ €), № and ™.
SCRIPTS: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0259, 0x0259),
    (0x02BB, 0x02BC),
    (0x02C6, 0x02DD),
    (0x0400, 0x052F),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x20A0, 0x20BF),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
)
_CUT_CHARS = frozenset(chr(c) for start, end in SCRIPTS for c in range(start, end + 1))

_lock = threading.Lock()
_cut: Path | None = None


def sans_for(text: str) -> Path:
    """The smallest font file that has ``text``'s letters: the cut of DejaVu Sans
    to ``SCRIPTS`` when that suffices (line breaks and tabs aside), else the
    whole font."""
    if not set(text) - _CUT_CHARS - {"\n", "\r", "\t"}:
        return _sans_cut()
    return SANS


def _sans_cut() -> Path:
    global _cut
    with _lock:
        if _cut is None or not _cut.exists():
            _cut = _make_cut()
    return _cut


def _make_cut() -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]  # the copyright and license records travel with the glyphs
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.layout_features = []  # fpdf2 does not shape text unless asked to
    options.drop_tables += ["FFTM"]
    font = TTFont(SANS)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for start, end in SCRIPTS for c in range(start, end + 1)])
    subsetter.subset(font)
    folder = tempfile.mkdtemp(prefix="konsey-fonts-")
    owner = os.getpid()
    # A forked worker inherits the exit hook: only the process that made the file removes it.
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    path = Path(folder) / "DejaVuSans-council.ttf"
    font.save(path)
    return path
