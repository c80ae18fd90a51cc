"""The interface's texts in the language a journey runs in, from the catalogs.

A journey asserts the translated text a user reads; a message without a
translation fails it (gettext would silently show the English).
"""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from tests.e2e.live_server import ROOT

CATALOGS = ROOT / "platform" / "konsey" / "translations"


@cache
def _catalog(language: str):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def t(language: str, msgid: str, **values) -> str:
    if language == "en":
        text = msgid
    else:
        message = _catalog(language).get(msgid)
        assert message is not None and message.string, f"{msgid!r} is not translated to {language}"
        text = message.string
    return text % values if values else text
