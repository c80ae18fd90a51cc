"""On a phone (360 px wide, Chromium), the main pages in the language whose
translations are longest do not overflow sideways: the page is no wider
than the screen and no line of text runs past its edge or is cut.

The longest language is computed from the catalogs (the largest total
length of the translations); ``KONSEY_E2E_LANGUAGES=all`` (or a list such
as ``kk,uz``) checks others too.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page

from tests import catalogs
from tests.e2e import ui
from tests.e2e.main_pages import ADMIN_PATHS, coordinator_paths, demo_objects

PHONE = {"width": 360, "height": 740}
COORDINATOR = "coordinator@secretariat.example.org"
ADMIN = "admin@secretariat.example.org"


def _length(language: str) -> int:
    return sum(len(form) for m in catalogs.catalog(language) if m.id for form in catalogs.forms(m))


def _languages() -> list[str]:
    by_length = sorted(catalogs.LANGUAGES, key=_length, reverse=True)
    wanted = os.environ.get("KONSEY_E2E_LANGUAGES", "")
    if wanted == "all":
        return by_length
    if wanted:
        return [code.strip() for code in wanted.split(",") if code.strip()]
    return by_length[:1]


# What a reader sees as overflow: the page wider than the screen; a line of
# text (each text node's boxes, as laid out) past the screen's edge; or text
# cut by a box that hides what does not fit. Text kept for screen readers
# only (clipped to a pixel) and text moved off the screen on purpose (the
# skip link, until focused) are not shown, so not counted.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > width)
    problems.push(`the page is ${root.scrollWidth} px wide at ${width} px`);
  const unseen = new Map();
  const hidden = (el) => {
    if (unseen.has(el)) return unseen.get(el);
    let answer = false;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    // Not rendered: display or visibility, or the content of a closed <details>.
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) answer = true;
    else if (style.position === 'absolute' && style.clip !== 'auto') answer = true;
    else if (style.clipPath !== 'none') answer = true;
    else if (box.width <= 1 && box.height <= 1 && style.overflow !== 'visible') answer = true;
    else if (box.right <= 0 || box.bottom <= 0) answer = true;
    else if (el.parentElement) answer = hidden(el.parentElement);
    unseen.set(el, answer);
    return answer;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const checked = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, template, noscript') || hidden(el)) continue;
    const what = `${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''}: `
                 + text.slice(0, 60);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      if (r.right > width + 1 || r.left < -1) {
        problems.push(`text off the screen (${Math.round(r.left)}–${Math.round(r.right)}) ${what}`);
        break;
      }
    }
    if (checked.has(el)) continue;
    checked.add(el);
    const style = getComputedStyle(el);
    const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    if (hides && el.scrollWidth > el.clientWidth + 1)
      problems.push(`text cut (${el.scrollWidth} > ${el.clientWidth}) ${what}`);
  }
  return problems;
}"""


def _check(page: Page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.ok, (path, response.status)
        problems += [f"{path}: {p}" for p in page.evaluate(OVERFLOW_JS)]
    return problems


@pytest.mark.parametrize("language", _languages())
def test_the_longest_language_fits_a_phone(open_page, language):
    coordinator = open_page(COORDINATOR)
    found = demo_objects(coordinator)  # found in English, before the switch
    admin = open_page(ADMIN)
    problems = []
    try:
        for page, paths in ((coordinator, coordinator_paths(found)), (admin, ADMIN_PATHS)):
            ui.set_language(page, language)  # the user's own locale, stored
            page.set_viewport_size(PHONE)
            problems += _check(page, paths)
        # The check sees overflow: a line that cannot wrap, put into the page.
        coordinator.evaluate(
            """() => { const p = document.createElement('p');
            p.id = 'too-wide'; p.style.whiteSpace = 'nowrap';
            p.textContent = 'Ұзын жол '.repeat(30); document.querySelector('main').append(p); }"""
        )
        seen = coordinator.evaluate(OVERFLOW_JS)
        assert any("page is" in p for p in seen) and any("Ұзын жол" in p for p in seen), seen
    finally:
        for page in (coordinator, admin):
            page.set_viewport_size(ui.DESKTOP)
            ui.set_language(page, "en")  # the demo users as the other journeys expect
    assert not problems, f"{language}, {len(problems)} problems:\n" + "\n".join(problems[:40])
