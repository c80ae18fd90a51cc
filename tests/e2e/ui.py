"""What every journey does in the browser: log in, pick a language, take
screenshots at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.live_server import DEMO_PASSWORD

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}


class Shots:
    """Numbered full-page screenshots of one test, at both widths."""

    def __init__(self, folder: Path, test_name: str):
        self.folder = folder
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")
        self.count = 0

    def take(self, page: Page, name: str, part: Locator | None = None) -> None:
        """The whole page, or only ``part`` of it, at both widths."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        stem = f"{self.prefix}-{self.count:02d}-{name}"
        for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            path = self.folder / f"{stem}-{width}.png"
            if part is None:
                page.screenshot(path=path, full_page=True)
            else:
                part.screenshot(path=path)
        page.set_viewport_size(DESKTOP)


def shoot(page: Page, name: str, part: Locator | None = None) -> None:
    page.shots.take(page, name, part)


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form; field names, not labels, so any language works."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def set_language(page: Page, code: str) -> None:
    """Choose the interface language on the account page (whatever it is now)."""
    page.goto("/account")
    form = page.locator("form:has(select[name=locale])")
    form.locator("select[name=locale]").select_option(code)
    form.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def set_profile(page: Page, *, language: str | None = None, timezone: str | None = None) -> None:
    page.goto("/account")
    form = page.locator("form:has(select[name=locale])")
    if language:
        form.locator("select[name=locale]").select_option(language)
    if timezone:
        form.locator("[name=timezone]").fill(timezone)
    form.locator("button[type=submit]").click()
    if language:
        expect(page.locator("html")).to_have_attribute("lang", language)


def choose(select: Locator, text: str) -> None:
    """Select the option whose label contains ``text`` (ids differ per run)."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))
