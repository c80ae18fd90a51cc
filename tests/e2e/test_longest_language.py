"""On a phone (360 px wide, Chromium), the main pages in the language whose
translations are longest do not overflow sideways: the page is no wider
than the screen and no line of text runs past its edge or is cut.

The longest language is computed from the catalogs (the largest total
length of the translations) and is checked on every main page; the other
languages on the pages whose header, tables and forms the rest share
(``KONSEY_E2E_LANGUAGES=all``, or a list such as ``kk,uz``, checks every
page in those too).
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page

from tests import catalogs
from tests.e2e import ui
from tests.e2e.main_pages import ADMIN_PATHS, GROUP, coordinator_paths, demo_objects

PHONE = {"width": 360, "height": 740}


def shared_pages(found: dict[str, str]) -> set[str]:
    return {"/", f"{GROUP}/actions", found["meeting"], found["minutes"], "/account"}


COORDINATOR = "coordinator@secretariat.example.org"
ADMIN = "admin@secretariat.example.org"


def _length(language: str) -> int:
    return sum(len(form) for m in catalogs.catalog(language) if m.id for form in catalogs.forms(m))


def _by_length() -> list[str]:
    return sorted(catalogs.LANGUAGES, key=_length, reverse=True)


def _all_pages(language: str) -> bool:
    """Every main page for the longest language (or those asked for); the
    others get the pages whose header and forms every page shares."""
    wanted = os.environ.get("KONSEY_E2E_LANGUAGES", "")
    if wanted == "all":
        return True
    if wanted:
        return language in [code.strip() for code in wanted.split(",")]
    return language == _by_length()[0]


# What a reader sees as overflow: the page wider than the screen; a line of
# text (each text node's boxes, as laid out) past the screen's edge; or text
# cut by a box that hides what does not fit. Text kept for screen readers
# only (clipped to a pixel) and text moved off the screen on purpose (the
# skip link, until focused) are not shown, so not counted.
OVERFLOW_JS = r"""() => {
  const width = window.innerWidth;
  const problems = [];
  const root = document.documentElement;
  const name = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\s+/) : [];
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + classes.filter(Boolean).map(c => '.' + c).join('');
  };
  if (root.scrollWidth > width) {
    // Which boxes stick out (the innermost ones), to say what to fix.
    const out = Array.from(document.body.querySelectorAll('*')).filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1 && el.checkVisibility();
    });
    const innermost = out.filter(el => !out.some(other => other !== el && el.contains(other)));
    const what = innermost.slice(0, 4).map(el => {
      const r = el.getBoundingClientRect();
      return `${name(el)} (${Math.round(r.left)}–${Math.round(r.right)})`;
    });
    problems.push(`the page is ${root.scrollWidth} px wide at ${width} px: ${what.join(', ')}`);
  }
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


_FOUND: dict[str, str] = {}


@pytest.mark.parametrize("language", _by_length())
def test_the_longest_language_fits_a_phone(open_page, language):
    coordinator = open_page(COORDINATOR)
    if not _FOUND:
        _FOUND.update(demo_objects(coordinator))  # found in English, before any switch
    views = [(coordinator, coordinator_paths(_FOUND))]
    if _all_pages(language):
        views.append((open_page(ADMIN), ADMIN_PATHS))
    else:
        views = [(coordinator, [p for p in views[0][1] if p in shared_pages(_FOUND)])]
    problems = []
    try:
        for page, paths in views:
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
        for page, _ in views:
            page.set_viewport_size(ui.DESKTOP)
            ui.set_language(page, "en")  # the demo users as the other journeys expect
    assert not problems, f"{language}, {len(problems)} problems:\n" + "\n".join(problems[:40])
