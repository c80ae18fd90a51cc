"""The interface speaks English, Turkish and Russian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "platform" / "konsey" / "translations"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set[str]:
    """Every message the code and templates use now, freshly extracted."""
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as fh:
        return {_msgid(m) for m in read_po(fh) if m.id}


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.mark.parametrize("locale", ["tr", "ru"])
def test_catalog_translates_every_message(source_messages, locale):
    """A message left in English would show English in the middle of a page."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    translated = {
        _msgid(m)
        for m in catalog
        if m.id and m.string and (not isinstance(m.string, tuple) or all(m.string)) and not m.fuzzy
    }
    missing = sorted(source_messages - translated)
    assert missing == [], f"untranslated in {locale} (run `make messages`): {missing[:10]}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("tr-TR,tr;q=0.9", "Giriş"), ("ru-RU,ru;q=0.9", "Войти"), ("de-DE,de", "Log in")],
)
def test_login_page_follows_the_browser_language(client, header, expected):
    page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert expected in page


def test_visitor_can_switch_language_before_login(client):
    client.get("/login")
    client.post("/language", {"lang": "ru"})
    assert '<html lang="ru">' in client.get("/login").get_data(as_text=True)
    assert client.post("/language", {"lang": "xx"}).status_code == 400


def test_logged_in_user_sees_their_own_language(ctx, client):
    user = f.make_user("aibek@kg.example.org", locale="ru")
    client.login(user.email)
    page = client.get("/groups", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Рабочие группы" in page


PREPARED = ["az", "kk", "ky", "uz"]


@pytest.mark.parametrize("locale", PREPARED)
def test_prepared_catalog_lists_every_message_for_a_translator(source_messages, locale):
    """Azerbaijani, Kazakh, Kyrgyz and Uzbek are ready to translate: every
    message is in the catalog (empty until a translator fills it)."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    assert str(catalog.locale) == locale
    listed = {_msgid(m) for m in catalog if m.id}
    missing = sorted(source_messages - listed)
    assert missing == [], f"{locale} catalog lacks messages (run `make messages`): {missing[:10]}"


def _translation(locale: str, msgid: str) -> str:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        message = read_po(fh).get(msgid)
    return message.string if message and not message.fuzzy else ""


@pytest.mark.parametrize("locale", ["tr", "ru", *PREPARED])
def test_a_user_of_each_enabled_language_sees_it(app, ctx, client, locale):
    """All seven languages are enabled by default: a Kazakh user sees Kazakh
    (the catalog's words), not English."""
    assert locale in app.config["LANGUAGES"]
    expected = _translation(locale, "Working groups")
    assert expected, f"the {locale} catalog does not translate 'Working groups' yet"
    user = f.make_user(f"user@{locale}.example.org", locale=locale)
    client.login(user.email)
    page = client.get("/groups", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'<html lang="{locale}">' in page
    assert expected in page
    assert "<h1>Working groups</h1>" not in page
