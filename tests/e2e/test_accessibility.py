"""axe-core (vendored in tests/e2e/vendor) on the main pages: no serious or
critical violation of WCAG 2.1 A/AA, no id used twice, and no sideways
scrolling at 360 px.

axe is evaluated through the DevTools protocol, which the page's
Content-Security-Policy (script-src 'self') does not govern, so the pages
are checked exactly as served.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.ui import DESKTOP, PHONE

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(path: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{path}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


# WCAG 2.1 4.1.1 (axe files its rule under "obsolete" since WCAG 2.2): an id
# used twice makes a label or aria reference point at the wrong element, and
# is invalid HTML whatever the element (hidden inputs too: several forms'
# csrf_token once shared one id).
DUPLICATE_IDS_JS = """() => {
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]'))
    seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""


def duplicate_ids(page: Page) -> str:
    ids = page.evaluate(DUPLICATE_IDS_JS)
    return f"{page.url}: ids used more than once: {', '.join(ids)}" if ids else ""


def phone_overflow(page: Page) -> str:
    """At 360 px the page must not scroll sideways (wide tables scroll in their box)."""
    page.set_viewport_size(PHONE)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(DESKTOP)
    return f"{page.url}: {width} px wide at {PHONE['width']} px" if width > PHONE["width"] else ""


def test_main_pages_have_no_serious_accessibility_violations(open_page):
    report = []
    anonymous = open_page()
    anonymous.goto("/login")
    report.append(describe("/login", axe_violations(anonymous)))
    report.append(phone_overflow(anonymous))
    report.append(duplicate_ids(anonymous))

    page = open_page("coordinator@secretariat.example.org")
    page.goto("/groups/cyber-security/minutes")
    minutes = page.get_by_role("main").get_by_role("link", name=re.compile("^Meeting of the"))
    minutes_url = minutes.first.get_attribute("href")
    page.goto("/groups/cyber-security/documents")
    document = page.get_by_role("main").get_by_role("link", name=re.compile(": working paper$"))
    document_url = document.first.get_attribute("href")
    page.goto("/groups/cyber-security/actions")
    action = page.get_by_role("main").get_by_role("link", name=re.compile("^Kazakhstan: "))
    action_url = action.first.get_attribute("href")
    paths = [
        "/",
        "/groups",
        "/groups/cyber-security",
        "/groups/cyber-security/meetings",
        minutes_url.removesuffix("/minutes"),
        minutes_url,
        "/groups/cyber-security/documents",
        "/groups/cyber-security/actions",
        "/actions/mine",
        "/groups/cyber-security/roster",
        "/account",
        document_url,
        action_url,
        "/groups/cyber-security/meetings/new",
        "/groups/cyber-security/documents/upload",
        "/groups/cyber-security/actions/new",
    ]
    for path in paths:
        response = page.goto(path)
        assert response.ok, (path, response.status)
        report.append(describe(path, axe_violations(page)))
        report.append(phone_overflow(page))
        report.append(duplicate_ids(page))
    problems = "\n".join(line for line in report if line)
    assert not problems, "accessibility or phone-width problems:\n" + problems


def test_the_check_finds_a_violation_when_there_is_one(open_page):
    page = open_page()
    page.goto("/login")
    # A field without a label and a button without a name, as a careless
    # template change would add them.
    page.evaluate(
        """() => {
        const form = document.querySelector('main form');
        form.insertAdjacentHTML('beforeend', '<input type="text" name="x"><button></button>');
    }"""
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "button-name"} <= found, found
