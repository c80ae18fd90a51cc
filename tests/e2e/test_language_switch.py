"""The header's language switch applies on choice with JavaScript (no button
to press, the same page shown again) and still works without JavaScript (a
visible button sends the form). Pages in Russian and Kazakh show times to the
minute; the audit log shows seconds."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e import ui

DELEGATE = "delegate.kz@kz.example.org"
ADMIN = "admin@secretariat.example.org"
# A clock time with seconds ("10:00:00", "7:00:05 AM") anywhere in the text.
SECONDS_RE = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")


def switcher(page: Page):
    return page.get_by_role("banner").locator("form.lang-switch")


def test_with_javascript_a_choice_applies_at_once(open_page):
    page = open_page()
    page.goto("/login")
    form = switcher(page)
    expect(form.get_by_role("button")).to_be_hidden()  # nothing more to press
    select = form.get_by_role("combobox")
    options = select.locator("option")
    expect(options).to_have_count(7)
    names = options.all_inner_texts()
    select.select_option("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_url(re.compile(r"/login$"))  # the same page, in Russian
    expect(switcher(page).get_by_role("combobox")).to_have_value("ru")
    # Each language in its own name: the same names whatever the page's language.
    assert switcher(page).locator("option").all_inner_texts() == names
    switcher(page).get_by_role("combobox").select_option("kk")
    expect(page.locator("html")).to_have_attribute("lang", "kk")


def test_without_javascript_the_button_sends_the_choice(open_page):
    page = open_page(java_script_enabled=False)
    page.goto("/login")
    form = switcher(page)
    button = form.get_by_role("button", name="Change language")
    expect(button).to_be_visible()
    form.get_by_role("combobox").select_option("tr")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # not until it is sent
    button.click()
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page).to_have_url(re.compile(r"/login$"))


def _main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def test_pages_in_russian_and_kazakh_show_no_seconds(open_page):
    page = open_page(DELEGATE)
    before = page.locator("html").get_attribute("lang")
    try:
        for lang in ("ru", "kk"):
            switcher(page).get_by_role("combobox").select_option(lang)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            times = 0
            for path in ("/", "/groups/e-government/meetings", "/groups/e-government/documents"):
                page.goto(path)
                text = _main_text(page)
                times += len(re.findall(r"\b\d{1,2}:\d{2}\b", text))
                assert not SECONDS_RE.search(text), (lang, path, SECONDS_RE.findall(text))
            assert times, f"no time shown in {lang}: the check saw nothing"
    finally:
        ui.set_language(page, before or "en")


def test_the_audit_log_shows_seconds(open_page):
    page = open_page(ADMIN)
    page.goto("/admin/audit")
    first = page.locator("main table tbody tr").first.locator("td").first
    expect(first).to_have_text(re.compile(r"\d{1,2}:\d{2}:\d{2}.*\(.+\)"))


def test_looking_through_the_list_with_the_keyboard_does_not_reload(open_page):
    page = open_page()
    page.goto("/login")
    select = switcher(page).get_by_role("combobox")
    select.focus()
    page.keyboard.press("ArrowDown")  # to Türkçe, only looking
    page.keyboard.press("ArrowDown")  # to Русский
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.keyboard.press("Enter")  # the choice
    expect(page.locator("html")).to_have_attribute("lang", "ru")
