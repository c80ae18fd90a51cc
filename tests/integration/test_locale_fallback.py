"""Bad or unexpected language input: a browser's Accept-Language that Konsey
cannot use, a saved language that is no longer offered, a bad choice in the
language switch — a sensible fallback or a clear message, never a 500."""

from __future__ import annotations

import re

import pytest

from tests import factories as f
from tests.integration.minutes_world import page_text

LANG_RE = re.compile(r'<html lang="([^"]+)">')


def lang_of(response) -> str:
    return LANG_RE.search(response.get_data(as_text=True)).group(1)


def test_all_seven_languages_are_enabled_by_default(app):
    assert app.config["LANGUAGES"] == ("en", "tr", "ru", "az", "kk", "ky", "uz")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
        ("az-Latn-AZ", "az"),
        ("uz-Latn-UZ,uz;q=0.5", "uz"),
        ("ky-KG", "ky"),
        ("de-DE,fr;q=0.8,ru;q=0.1", "ru"),  # the best one Konsey has
        ("en;q=0, kk;q=0.5", "kk"),  # q=0 means "not this one"
        # Unusable: the default (English).
        ("de-DE,de;q=0.9", "en"),  # unknown
        ("*", "en"),  # anything: the default
        ("*;q=0", "en"),
        ("tr;q=0, ru;q=0, *;q=0", "en"),  # nothing acceptable
        ("tr;q=abc", "en"),  # malformed quality
        ("ru;q=7", "en"),  # quality out of range
        (";;;,,,", "en"),
        ("тр,рус", "en"),  # not language tags
        ("x" * 8000, "en"),  # huge
        (",".join(f"l{i};q=0.{i % 10}" for i in range(2000)), "en"),  # very many
    ],
)
def test_browser_language_falls_back_sensibly(client, header, expected):
    response = client.get("/login", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert lang_of(response) == expected


def test_a_saved_language_no_longer_offered_falls_back_and_the_account_page_says_so(
    app, ctx, make_client
):
    user = f.make_user("aigerim@kz.example.org", locale="kk")
    client = make_client()
    assert client.login(user.email).status_code == 302
    saved = app.config["LANGUAGES"]
    app.config["LANGUAGES"] = ("en", "tr", "ru")  # Kazakh is switched off
    try:
        home = client.get("/groups", headers={"Accept-Language": "kk-KZ,ru;q=0.8"})
        assert home.status_code == 200
        assert lang_of(home) == "ru"  # the best of the browser's languages
        page = client.get("/account", headers={"Accept-Language": "kk-KZ,ru;q=0.8"})
        assert page.status_code == 200
        text = page_text(page)
        # In Russian, naming Kazakh in Russian (CLDR): "казахский".
        assert "казахский" in text, text[:2000]
        selected = re.search(
            r'<select[^>]*name="locale".*?</select>', page.get_data(as_text=True), re.S
        ).group(0)
        assert '<option selected value="ru">' in selected  # what the pages are shown in
        assert 'value="kk"' not in selected  # not offered any more
        # Without a usable browser language: the default, English, said in English.
        page = client.get("/account", headers={"Accept-Language": "de"})
        assert lang_of(page) == "en"
        assert (
            "Your saved language, Kazakh, is no longer offered here, so pages are shown "
            "in English. Choose your language below and save." in page_text(page)
        )
        # Choosing one fixes it: the notice is gone.
        form = {"name": user.name, "locale": "tr", "timezone": "UTC", "digest": "weekly"}
        form["notices"] = user.notices.value
        assert client.post("/account/profile", form).status_code == 302
        page = client.get("/account", headers={"Accept-Language": "de"})
        assert lang_of(page) == "tr"
        assert "no longer offered" not in page_text(page)
    finally:
        app.config["LANGUAGES"] = saved


def test_a_damaged_saved_language_is_no_500(ctx, make_client):
    user = f.make_user("broken@kz.example.org", locale="x!")
    client = make_client()
    assert client.login(user.email).status_code == 302
    page = client.get("/account", headers={"Accept-Language": "az"})
    assert page.status_code == 200
    assert lang_of(page) == "az"
    assert "x!" in page_text(page)  # named as it is stored


@pytest.mark.parametrize("value", ["", "xx", "de", "KK", "kk-KZ", "../en", "x" * 10000, "русский"])
def test_language_switch_refuses_a_bad_value_with_a_message(client, value):
    client.get("/login")
    response = client.post("/language", {"lang": value})
    assert response.status_code == 400
    assert "Unsupported language." in page_text(response)


def test_language_switch_with_a_nul_character_is_refused(client):
    client.get("/login")
    response = client.post("/language", {"lang": "en\x00"})
    assert response.status_code == 400
    assert "The request contains a NUL character." in page_text(response)


def test_language_switch_without_a_value_is_refused(client):
    client.get("/login")
    response = client.post("/language", {})
    assert response.status_code == 400
    assert "Unsupported language." in page_text(response)


@pytest.mark.parametrize("code", ["en", "tr", "ru", "az", "kk", "ky", "uz"])
def test_each_enabled_language_can_be_chosen(client, code):
    client.get("/login")
    assert client.post("/language", {"lang": code, "next": "/login"}).status_code == 302
    assert lang_of(client.get("/login", headers={"Accept-Language": "de"})) == code
