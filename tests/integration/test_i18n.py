"""The interface speaks all seven languages of the council: English (the
source), Turkish, Russian, Azerbaijani, Kazakh, Kyrgyz and Uzbek. Every
message is translated, keeps what it must of the English, follows its
language's glossary, and counts by its language's CLDR plural rules."""

from __future__ import annotations

import gettext
from pathlib import Path

import babel
import pytest
from babel.messages.pofile import read_po

from tests import catalogs
from tests import factories as f
from tests.catalogs import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "platform" / "konsey" / "translations"
# CLDR's categories in the order gettext catalogs number their forms.
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


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
        return {catalogs.msgid(m) for m in read_po(fh) if m.id}


@pytest.fixture(scope="module")
def catalog_of():
    cache = {}

    def load(language):
        if language not in cache:
            cache[language] = catalogs.catalog(language)
        return cache[language]

    return load


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_translates_every_message(source_messages, catalog_of, locale):
    """A message left in English (or fuzzy, which gettext does not show)
    would show English in the middle of a page."""
    catalog = catalog_of(locale)
    assert str(catalog.locale) == locale
    translated = {
        catalogs.msgid(m) for m in catalog if m.id and all(catalogs.forms(m)) and not m.fuzzy
    }
    missing = sorted(source_messages - translated)
    assert missing == [], (
        f"{len(missing)} of {len(source_messages)} messages untranslated or fuzzy in {locale} "
        f"(run `make messages`, then translate): {missing[:10]}"
    )


@pytest.mark.parametrize("locale", LANGUAGES)
def test_translations_keep_placeholders_markup_and_links(catalog_of, locale):
    """A dropped %(name)s shows a gap, a changed one a 500; a lost tag or
    link breaks the page or sends the reader elsewhere."""
    catalog = catalog_of(locale)
    shared = catalogs.shared_forms(catalog)
    found = [p for m in catalog for p in catalogs.problems(m, shared)]
    assert found == [], f"{len(found)} in {locale}:\n" + "\n".join(found[:20])


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalogs_pass_babels_own_checks(catalog_of, locale):
    """What `pybabel compile` refuses would stop `make` (and so `make run` and
    `make test`), though the tests compile the catalogs without checking."""
    found = catalogs.compile_problems(catalog_of(locale))
    assert found == [], f"{len(found)} in {locale}:\n" + "\n".join(found[:20])


@pytest.mark.parametrize("locale", LANGUAGES)
def test_each_language_has_a_glossary_that_settles_the_terms_and_is_followed(locale):
    path = catalogs.glossary_path(locale)
    assert path.is_file(), f"{locale} has no glossary at {path}"
    terms = catalogs.glossary(locale)
    assert all(t.term and t.forms and t.source for t in terms), (
        f"{locale}: every glossary entry names its term, its forms and its source"
    )
    found = catalogs.glossary_problems(locale)
    assert found == [], f"{len(found)} in {locale}:\n" + "\n".join(found[:20])


def _cldr_indices(language: str, upto: int = 1000) -> dict[int, int]:
    """n → the index of n's CLDR category among those integers reach."""
    plural = babel.Locale.parse(language).plural_form
    tags = {n: plural(n) for n in range(upto + 1)}
    reached = [c for c in CLDR_ORDER if c in set(tags.values())]
    return {n: reached.index(tag) for n, tag in tags.items()}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_plural_forms_follow_cldr(catalog_of, locale):
    catalog = catalog_of(locale)
    expected = _cldr_indices(locale)
    formula = gettext.c2py(catalog.plural_expr)
    assert catalog.num_plurals == len(set(expected.values())), catalog.plural_forms
    wrong = {n: (formula(n), want) for n, want in expected.items() if formula(n) != want}
    assert wrong == {}, (
        f"{catalog.plural_forms}: n → (gives, CLDR): {dict(list(wrong.items())[:10])}"
    )
    short = [
        catalogs.msgid(m)
        for m in catalog
        if m.id and isinstance(m.id, tuple) and len(m.string) != catalog.num_plurals
    ]
    assert short == [], f"plural messages without {catalog.num_plurals} forms: {short[:10]}"


def test_russian_counts_one_few_many():
    assert [_cldr_indices("ru")[n] for n in (1, 2, 5, 11, 21, 22, 25, 111)] == [
        0, 1, 2, 2, 0, 1, 2, 2,
    ]  # fmt: skip


@pytest.mark.parametrize("locale", LANGUAGES)
def test_ngettext_through_the_app_gives_the_right_form(app, catalog_of, locale):
    from flask_babel import force_locale, ngettext

    message = catalog_of(locale).get("%(num)d action")
    assert message is not None and isinstance(message.id, tuple)
    indices = _cldr_indices(locale)
    got, want = {}, {}
    with app.test_request_context("/"), force_locale(locale):
        for n in (1, 2, 5, 21):
            got[n] = ngettext("%(num)d action", "%(num)d actions", n)
            form = message.string[indices[n]] or (message.id[0] if n == 1 else message.id[1])
            want[n] = form % {"num": n}
    assert got == want
    if locale == "ru":
        assert len({got[1].split()[1], got[2].split()[1], got[5].split()[1]}) == 3, got
        assert got[21].split()[1] == got[1].split()[1], got


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


def _translation(locale: str, msgid: str) -> str:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        message = read_po(fh).get(msgid)
    return message.string if message and not message.fuzzy else ""


@pytest.mark.parametrize("locale", LANGUAGES)
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
