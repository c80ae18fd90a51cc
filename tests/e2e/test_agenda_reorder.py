"""Reordering an agenda in the browser: the coordinator drags an item by its
handle, then moves another from the keyboard (Alt+Arrow on the handle, the
move announced in the live region); the order persists after a reload. The
Move up / Move down buttons stay for use without JavaScript."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.ui import shoot

SLUG = "tasim-fibre"
TITLE = "Reordering rehearsal of the TASIM Sub-Working Group"
ITEMS = ["Opening", "Fibre-optic routes", "Transit tariffs", "Any other business"]


def agenda_titles(page):
    return page.get_by_role("region", name="Agenda").get_by_role("heading", level=3)


def test_an_agenda_item_is_dragged_and_moved_from_the_keyboard(open_page):
    page = open_page("coordinator@secretariat.example.org")
    page.goto(f"/groups/{SLUG}/meetings/new")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Time zone of the venue").fill("Asia/Baku")
    page.get_by_label("Date", exact=True).fill((date.today() + timedelta(days=50)).isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("12:00")
    page.get_by_label(re.compile("Review of previous decisions")).uncheck()
    page.get_by_role("button", name="Create the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for title in ITEMS:
        page.get_by_role("link", name="Add an agenda item").click()
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_role("button", name="Save", exact=True).click()
    expect(agenda_titles(page)).to_have_text(ITEMS)

    # The script shows the handles and the hint; the buttons stay.
    handle = page.get_by_role("button", name="Reorder “Transit tariffs”")
    expect(handle).to_be_visible()
    expect(page.get_by_text(re.compile("press Alt\\+Arrow Up"))).to_be_visible()
    expect(page.get_by_role("button", name="Move up Transit tariffs")).to_be_visible()

    # Drag "Transit tariffs" onto the top half of "Opening": it becomes item 1.
    target = page.locator("li.agenda-item", has_text="Opening")
    handle.drag_to(target, target_position={"x": 20, "y": 5})
    dragged = ["Transit tariffs", "Opening", "Fibre-optic routes", "Any other business"]
    expect(agenda_titles(page)).to_have_text(dragged)
    expect(page.locator("#live-status")).to_have_text("“Transit tariffs” is now item 1.")
    expect(page.locator("#item-" + _item_id(page, "Transit tariffs"))).to_contain_text("1.")
    shoot(page, "agenda-dragged")

    # From the keyboard: "Any other business" goes up one place.
    keyboard = page.get_by_role("button", name="Reorder “Any other business”")
    keyboard.focus()
    page.keyboard.press("Alt+ArrowUp")
    moved = ["Transit tariffs", "Opening", "Any other business", "Fibre-optic routes"]
    expect(agenda_titles(page)).to_have_text(moved)
    expect(page.locator("#live-status")).to_have_text("“Any other business” is now item 3.")
    # The handle keeps the focus, so it can move again.
    expect(page.get_by_role("button", name="Reorder “Any other business”")).to_be_focused()

    # The first item cannot go further up: nothing is sent, the reason is announced.
    page.get_by_role("button", name="Reorder “Transit tariffs”").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#live-status")).to_have_text("“Transit tariffs” cannot move further.")
    expect(agenda_titles(page)).to_have_text(moved)

    page.reload()
    expect(agenda_titles(page)).to_have_text(moved)


def _item_id(page, title: str) -> str:
    return page.locator("li.agenda-item", has_text=title).get_attribute("data-item-id")
