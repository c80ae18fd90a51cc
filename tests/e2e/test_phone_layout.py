"""On a phone (360 × 740 px): the header is one bar with a menu button, and
every table is a list of cards, one per row, each cell labelled with its
column's header; nothing scrolls sideways and no cell's text is cut. At
1280 px the header is one line. Without JavaScript the menu still opens and
the tables still stack (without labels).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.catalogs import LANGUAGES
from tests.e2e import ui
from tests.e2e.i18n import t
from tests.e2e.main_pages import GROUP, demo_objects
from tests.e2e.test_accessibility import axe_violations, describe

PHONE = {"width": 360, "height": 740}
WIDE = {"width": 1280, "height": 800}
DELEGATE = "delegate.kz@kz.example.org"
COORDINATOR = "coordinator@secretariat.example.org"
ADMIN = "admin@secretariat.example.org"
# The header closed on a phone: the bar (name, count, menu button), at most two lines' worth.
HEADER_MAX = 120
NAV_LINKS = ["Home", "Working groups", "My actions", "Search", "My account"]

# What a person would see as a problem at this width: the page wider than the
# screen, or a cell whose text runs past its edge (scrolled or clipped).
LAYOUT_PROBLEMS_JS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth)
    problems.push(`the page is ${root.scrollWidth} px wide at ${window.innerWidth} px`);
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.getClientRects().length) continue;  // not shown
    // The header row of a table shown as labelled cards: kept for screen readers only.
    const hidden = 'table[data-labelled] thead, table[data-labelled] tr[data-header-row]';
    if (cell.closest(hidden)) continue;
    const r = cell.getBoundingClientRect();
    const what = cell.textContent.trim().slice(0, 60);
    if (cell.scrollWidth > cell.clientWidth + 1)
      problems.push(`cell cut (${cell.scrollWidth} > ${cell.clientWidth}): ${what}`);
    if (r.right > window.innerWidth + 1 || r.left < -1)
      problems.push(`cell off the screen (${Math.round(r.left)}–${Math.round(r.right)}): ${what}`);
  }
  return problems;
}"""

# The tables as cards: every body cell of a table with column headers shows
# its header as a label (data-label, shown by ::before), one cell per line.
CARD_PROBLEMS_JS = """(withLabels) => {
  const problems = [];
  let cells = 0;
  for (const table of document.querySelectorAll('main table')) {
    const heads = Array.from(table.querySelectorAll('thead th'))
      .map(th => th.textContent.replace(/\\s+/g, ' ').trim());
    for (const row of table.querySelectorAll('tbody tr')) {
      const shown = Array.from(row.cells);
      if (shown.length === 1 && shown[0].colSpan > 1) continue;  // "nothing yet" across the row
      shown.forEach((cell, i) => {
        cells++;
        if (getComputedStyle(cell).display !== 'block')
          problems.push(`a cell is not on its own line: ${cell.textContent.trim().slice(0, 40)}`);
        if (!withLabels) return;
        const label = cell.getAttribute('data-label');
        const before = getComputedStyle(cell, '::before').content;
        if (heads.length && label !== heads[i])
          problems.push(`cell ${i} labelled ${JSON.stringify(label)}, `
                        + `its header is ${JSON.stringify(heads[i])}`);
        if (heads.length && before !== JSON.stringify(label))
          problems.push(`the label of cell ${i} is not shown (${before})`);
      });
    }
  }
  return {cells, problems};
}"""


def _phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def _header_height(page: Page) -> float:
    return page.get_by_role("banner").bounding_box()["height"]


def _check_page(page: Page, path: str, *, labels: bool = True) -> list[str]:
    response = page.goto(path)
    assert response.ok, (path, response.status)
    problems = [f"{path}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS_JS)]
    cards = page.evaluate(CARD_PROBLEMS_JS, labels)
    problems += [f"{path}: {p}" for p in cards["problems"]]
    height = _header_height(page)
    if height > HEADER_MAX:
        problems.append(f"{path}: the header is {height:.0f} px high")
    return problems


def _scripts_run(page: Page) -> bool:
    """Did the page's scripts run (language.js marks the header's language form)?"""
    return page.locator("form.lang-switch[data-lang-auto]").count() == 1


def _open_menu_shows_navigation(page: Page) -> None:
    banner = page.get_by_role("banner")
    menu = banner.locator("summary")
    expect(menu).to_be_visible()
    expect(menu).to_have_accessible_name("Menu")
    for name in NAV_LINKS:
        expect(banner.get_by_role("link", name=name, exact=True)).to_be_hidden()
    menu.click()
    navigation = page.get_by_role("navigation", name="Main")
    for name in NAV_LINKS:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(banner.get_by_label("Language", exact=True)).to_be_visible()
    # The language applies on choice with JavaScript; without it, a button sends it.
    button = banner.get_by_role("button", name="Change language")
    if _scripts_run(page):
        expect(button).to_be_hidden()
    else:
        expect(button).to_be_visible()
    expect(banner.get_by_role("button", name="Log out")).to_be_visible()
    menu.click()
    expect(navigation.get_by_role("link", name="Home", exact=True)).to_be_hidden()


_FOUND: dict[str, str] = {}


def _pages_with_tables(open_page) -> list[str]:
    """The main pages with tables (their addresses found as the coordinator)."""
    if not _FOUND:
        _FOUND.update(demo_objects(open_page(COORDINATOR)))
    found = _FOUND
    return [
        "/",
        GROUP,
        found["meeting"],
        f"{GROUP}/actions",
        f"{GROUP}/documents",
        f"{GROUP}/minutes",
        "/actions/mine",
        f"{GROUP}/roster",
    ]


@pytest.mark.parametrize("email", [DELEGATE, COORDINATOR])
def test_on_a_phone_the_header_is_a_bar_and_tables_are_cards(open_page, email):
    page = _phone(open_page(email))
    page.goto("/")
    assert _header_height(page) <= HEADER_MAX
    # The count of what needs you stays in the bar, outside the menu.
    expect(page.get_by_role("banner").locator(".needs-badge")).to_be_visible()
    # In English the word fits beside the count: the button shows it.
    expect(page.get_by_role("banner").locator("summary").get_by_text("Menu")).to_be_visible()
    _open_menu_shows_navigation(page)

    paths = _pages_with_tables(open_page)
    if email == COORDINATOR:
        # A delegate sees no minutes of the group before they are circulated.
        paths += [
            _FOUND["minutes"],
            "/actions/council",
            f"{_FOUND['meeting']}/participants",
            f"{_FOUND['meeting']}/participants/attendance",
        ]
    problems = []
    for path in paths:
        problems += _check_page(page, path)
    assert not problems, "\n".join(problems)
    page.shots.take(page, "phone-cards")


def test_the_admin_users_table_fits_a_phone(open_page):
    page = _phone(open_page(ADMIN))
    problems = _check_page(page, "/admin/users") + _check_page(page, "/admin/audit")
    assert not problems, "\n".join(problems)


def test_the_menu_works_with_the_keyboard(open_page):
    page = _phone(open_page(DELEGATE))
    page.goto(f"{GROUP}/actions")
    menu = page.get_by_role("banner").locator("summary")
    menu.focus()
    # A visible focus ring on the menu button.
    outline = page.evaluate("el => getComputedStyle(el).outlineStyle", menu.element_handle())
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("details.site-menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Home", exact=True)).to_be_focused()
    # Escape closes the menu and gives the focus back to its button.
    page.keyboard.press("Escape")
    expect(page.locator("details.site-menu")).not_to_have_attribute("open", "")
    expect(menu).to_be_focused()
    # Open or closed, the phone header passes axe.
    report = [describe("closed menu", axe_violations(page))]
    menu.click()
    report.append(describe("open menu", axe_violations(page)))
    problems = "\n".join(line for line in report if line)
    assert not problems, problems
    # A tap outside the open menu closes it.
    page.mouse.click(PHONE["width"] / 2, PHONE["height"] - 20)  # below the open menu
    expect(page.locator("details.site-menu")).not_to_have_attribute("open", "")


def test_tables_swapped_in_by_htmx_get_their_labels(open_page):
    page = _phone(open_page(COORDINATOR))
    page.goto(f"{GROUP}/actions")
    table = page.locator("main table").first
    expect(table.locator("td[data-label]").first).to_be_attached()
    # The same list, fetched again by htmx and swapped in place of the table.
    page.evaluate(
        """() => {
        const wrap = document.querySelector('main table').closest('.table-wrap');
        wrap.id = 'swapped';
        wrap.querySelector('table').setAttribute('data-old', '');
        return htmx.ajax('GET', location.pathname,
                         {target: '#swapped', select: 'main .table-wrap', swap: 'outerHTML'});
    }"""
    )
    page.wait_for_function("!document.getElementById('swapped')")
    expect(page.locator("main table[data-old]")).to_have_count(0)
    cards = page.evaluate(CARD_PROBLEMS_JS, True)
    assert cards["cells"] > 0
    assert not cards["problems"], cards["problems"]


@pytest.mark.parametrize("email", [DELEGATE, COORDINATOR, ADMIN])
def test_on_a_wide_screen_the_header_is_one_line(open_page, email):
    page = open_page(email)
    page.set_viewport_size(WIDE)
    page.goto("/")
    banner = page.get_by_role("banner")
    expect(banner.locator("summary")).to_be_hidden()
    parts = [banner.locator(".brand"), banner.get_by_label("Language", exact=True)]
    parts += [banner.get_by_role("link", name=name, exact=True) for name in NAV_LINKS]
    parts += [banner.get_by_role("button", name="Log out"), banner.locator(".whoami")]
    boxes = [part.bounding_box() for part in parts]
    assert all(boxes), "something of the header is not shown"
    # One line: every part overlaps every other vertically.
    top = max(box["y"] for box in boxes)
    bottom = min(box["y"] + box["height"] for box in boxes)
    assert top < bottom, boxes
    assert _header_height(page) <= 70


def test_without_javascript_the_menu_opens_and_nothing_scrolls_sideways(open_page):
    page = _phone(open_page(COORDINATOR, java_script_enabled=False))
    page.goto("/")
    assert _header_height(page) <= HEADER_MAX
    _open_menu_shows_navigation(page)
    problems = []
    for path in [*_pages_with_tables(open_page), "/actions/council"]:
        problems += _check_page(page, path, labels=False)
        # No script: no labels, and the header row shows above the cards instead.
        assert page.locator("td[data-label]").count() == 0, path
    assert not problems, "\n".join(problems)
    # The menu still takes the full width on a phone and the page stays usable.
    page.goto(f"{GROUP}/documents")
    page.get_by_role("banner").locator("summary").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_titles_show_each_part_once(open_page):
    page = open_page(COORDINATOR)
    found = demo_objects(page)
    for path in ["/", GROUP, found["meeting"], found["minutes"], f"{GROUP}/documents"]:
        page.goto(path)
        parts = page.title().split(" · ")
        assert parts[-1] == "Konsey" and parts.count("Konsey") == 1, (path, parts)
        assert len(parts) == len(set(parts)), (path, parts)
        for part in parts:
            others = [p for p in parts if p != part]
            assert not any(re.match(re.escape(part) + r"\s", o) for o in others), (path, parts)


# Tables the app may grow: no <thead> (a first row of <th>), a header over two
# columns, a cell over two columns, a cell over two rows, a "nothing" row.
ODD_TABLES = """
<table id="no-thead"><tbody>
  <tr><th>Name</th><th>Role</th></tr>
  <tr><td>Aigerim</td><td>Delegate</td></tr>
</tbody></table>
<table id="spans">
  <thead>
    <tr><th rowspan="2">State</th><th colspan="2">Actions</th></tr>
    <tr><th>Open</th><th>Done</th></tr>
  </thead>
  <tbody>
    <tr><th scope="row" rowspan="2">KZ</th><td>1</td><td>2</td></tr>
    <tr><td colspan="2">both</td></tr>
    <tr><td colspan="3">No more states.</td></tr>
  </tbody>
</table>
<table id="no-headers"><tr><td>plain</td></tr></table>
"""


def test_labels_for_tables_without_thead_and_with_spans(open_page):
    page = _phone(open_page(COORDINATOR))
    page.goto("/account")
    # Swapped in as htmx would, then announced with htmx's event.
    page.evaluate(
        """html => {
        const box = document.createElement('div');
        box.innerHTML = html;
        document.querySelector('main').append(box);
        box.dispatchEvent(new CustomEvent('htmx:afterSwap', {bubbles: true}));
    }""",
        ODD_TABLES,
    )
    labels = page.evaluate(
        """() => Object.fromEntries(['no-thead', 'spans', 'no-headers'].map(id => [id,
        Array.from(document.getElementById(id).querySelectorAll('td, tbody th'))
             .map(c => c.getAttribute('data-label'))]))"""
    )
    assert labels["no-thead"] == [None, None, "Name", "Role"]  # its header row: no labels
    assert labels["spans"] == [
        "State",
        "Actions · Open",
        "Actions · Done",
        "Actions · Open · Done",
        None,  # across the whole row
    ]
    assert labels["no-headers"] == [None]
    # The header row of the table without <thead> is left to screen readers,
    # and the other rows are cards with their labels shown.
    assert page.locator("#no-thead tr").first.bounding_box()["height"] <= 1
    shown = "getComputedStyle(document.querySelector('#no-thead td'), '::before').content"
    assert page.evaluate(shown) == '"Name"'
    assert not page.evaluate(LAYOUT_PROBLEMS_JS)
    # Roles for screen readers that drop a table's own when it is shown as blocks.
    roles = page.evaluate(
        """() => Array.from(document.querySelectorAll('#spans tbody tr:first-child > *'))
        .map(c => c.getAttribute('role'))"""
    )
    assert roles == ["rowheader", "cell", "cell"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_phone_header_is_one_bar_in_longer_languages(open_page, language):
    page = _phone(open_page(DELEGATE))
    try:
        ui.set_language(page, language)
        for path in ["/", f"{GROUP}/actions"]:
            page.goto(path)
            banner = page.get_by_role("banner")
            boxes = [
                banner.locator(".brand").bounding_box(),
                banner.locator(".needs-badge").bounding_box(),
                banner.locator("summary").bounding_box(),
            ]
            assert all(boxes), path
            # Name, count and menu button side by side, on one line.
            assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes), boxes
            assert not page.evaluate(LAYOUT_PROBLEMS_JS), path
            expect(banner.locator("summary")).to_have_accessible_name(t(language, "Menu"))
    finally:
        ui.set_language(page, "en")  # the demo user as the other journeys expect


def _exposed_links(page: Page) -> set[str]:
    """The links of the header as Chromium's accessibility tree exposes them."""
    session = page.context.new_cdp_session(page)
    tree = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    return {
        node["name"]["value"]
        for node in tree
        if node.get("role", {}).get("value") == "link"
        and not node.get("ignored")
        and node.get("name", {}).get("value")
    }


def test_on_a_wide_screen_without_javascript_the_menu_is_in_the_bar(open_page):
    page = open_page(COORDINATOR, java_script_enabled=False)
    page.set_viewport_size(WIDE)
    page.goto("/")
    banner = page.get_by_role("banner")
    expect(banner.locator("summary")).to_be_hidden()
    # The <details> is closed (no script opens it), and yet its content is shown,
    # reachable and exposed to screen readers.
    expect(page.locator("details.site-menu")).not_to_have_attribute("open", "")
    for name in NAV_LINKS:
        expect(banner.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert set(NAV_LINKS) <= _exposed_links(page)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the name
    page.keyboard.press("Tab")  # the count
    page.keyboard.press("Tab")
    expect(banner.get_by_role("link", name="Home", exact=True)).to_be_focused()
