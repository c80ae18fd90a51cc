"""Remake docs/screenshots/home.png: the home page of Kazakhstan's head of
delegation on the demo data, after the founding case has moved on a little
(a reservation, a version 2 pending). Run with the app served on
$KONSEY_SCREENSHOT_URL (default http://127.0.0.1:5299) on demo data:

    KONSEY_INSTANCE_PATH=/tmp/shot .venv/bin/flask --app wsgi konsey demo
    KONSEY_INSTANCE_PATH=/tmp/shot .venv/bin/flask --app wsgi run --port 5299 &
    .venv/bin/python tests/e2e/make_home_screenshot.py
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

URL = os.environ.get("KONSEY_SCREENSHOT_URL", "http://127.0.0.1:5299")
WHO = os.environ.get("KONSEY_SCREENSHOT_USER", "head.kz@kz.example.org")
PASSWORD = os.environ.get("KONSEY_DEMO_PASSWORD", "konsey-demo-2017")
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "home.png"


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(base_url=URL, viewport={"width": 1200, "height": 900})
        page.goto("/login")
        page.locator("input[name=email]").fill(WHO)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_url(f"{URL}/")
        page.screenshot(path=str(OUT), full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
