"""The rules the catalog tests apply, on messages made to break them."""

from __future__ import annotations

from babel.messages.catalog import Catalog, Message

from tests import catalogs


def _plural(locale: str, forms: tuple[str, ...]):
    catalog = Catalog(locale=locale)
    catalog.add(("New version of %(title)s", "%(num)d new versions of %(title)s"), forms)
    return catalog, catalog[("New version of %(title)s")]


def test_a_russian_one_form_serves_21_so_it_must_show_the_count():
    catalog, message = _plural("ru", ("Новая версия %(title)s", "%(num)d версии", "%(num)d версий"))
    shared = catalogs.shared_forms(catalog)
    assert 0 in shared  # 21, 31 … take the "one" form
    assert any("form 0" in p for p in catalogs.problems(message, shared))


def test_a_turkish_one_form_serves_only_1_and_may_leave_the_count_out():
    catalog, message = _plural(
        "tr", ("%(title)s için yeni sürüm", "%(title)s için %(num)d yeni sürüm")
    )
    shared = catalogs.shared_forms(catalog)
    assert shared == frozenset({1})
    assert catalogs.problems(message, shared) == []


def test_the_first_form_holds_to_the_english_singular_as_pybabel_compile_does():
    catalog, message = _plural("tr", ("%(num)d yeni sürüm", "%(title)s için %(num)d yeni sürüm"))
    assert any("form 0" in p for p in catalogs.problems(message, catalogs.shared_forms(catalog)))
    message.flags.add("python-format")
    assert catalogs.compile_problems(catalog), "Babel's compile check refuses it too"


def test_a_dropped_placeholder_a_changed_tag_or_link_is_found():
    cases = [
        ("Hello %(name)s", "Merhaba"),
        ('Read <a href="/help">the help</a>', '<a href="/yardim">Yardımı</a> okuyun'),
        ("See https://example.org/a for more", "Bakın: https://example.org/b"),
        ("Pattern {year}/{n}", "Kalıp {yil}/{n}"),
    ]
    for english, translation in cases:
        assert catalogs.problems(Message(english, translation)), english


def test_what_is_kept_may_move_within_the_sentence():
    message = Message("%(who)s agreed on %(date)s", "%(date)s tarihinde %(who)s mutabık kaldı")
    assert catalogs.problems(message) == []
