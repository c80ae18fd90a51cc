"""Journey 2: the coordinator plans a meeting in Baku time with three agenda
items, reorders them and attaches a working paper to the second; a
delegate in Bishkek sees the meeting at the venue's time and at their own."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from babel.dates import format_date, format_time
from playwright.sync_api import expect

from konsey.documents.samples import make_pdf
from tests.e2e.ui import choose, set_profile, shoot

SLUG = "satellite-services"
TITLE = "3rd Meeting of the Sub-Working Group on Satellite Services"
ITEMS = ["Adoption of the agenda", "Satellite capacity sharing", "Earth-observation data exchange"]
PAPER = "Working paper: earth-observation data exchange"


def agenda_titles(page):
    return page.get_by_role("region", name="Agenda").get_by_role("heading", level=3)


def test_journey_2_meeting_in_baku_time_seen_from_bishkek(open_page):
    day = date.today() + timedelta(days=40)
    coordinator = open_page("coordinator@secretariat.example.org")

    coordinator.goto(f"/groups/{SLUG}/meetings")
    coordinator.get_by_role("link", name="Plan a meeting").click()
    coordinator.get_by_label("Title", exact=True).fill(TITLE)
    coordinator.get_by_label("Number", exact=True).fill("3rd Meeting")
    coordinator.get_by_label("Time zone of the venue").fill("Asia/Baku")
    coordinator.get_by_label("Date", exact=True).fill(day.isoformat())
    coordinator.get_by_label("Starts at").fill("10:00")
    coordinator.get_by_label("Ends at").fill("12:00")
    coordinator.get_by_label("City").fill("Baku")
    # Exactly the three items below: no "review of previous decisions" item.
    coordinator.get_by_label(re.compile("Review of previous decisions")).uncheck()
    shoot(coordinator, "plan-meeting-form")
    coordinator.get_by_role("button", name="Create the meeting").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(TITLE)
    meeting_url = coordinator.url

    for title in ITEMS:
        coordinator.get_by_role("link", name="Add an agenda item").click()
        coordinator.get_by_label("Title", exact=True).fill(title)
        coordinator.get_by_role("button", name="Save", exact=True).click()
        expect(agenda_titles(coordinator).last).to_have_text(title)
    expect(agenda_titles(coordinator)).to_have_text(ITEMS)

    # The third item moves up to second place.
    coordinator.get_by_role("button", name=f"Move up {ITEMS[2]}").click()
    reordered = [ITEMS[0], ITEMS[2], ITEMS[1]]
    expect(agenda_titles(coordinator)).to_have_text(reordered)
    coordinator.reload()
    expect(agenda_titles(coordinator)).to_have_text(reordered)
    shoot(coordinator, "agenda-reordered")

    coordinator.goto(f"/groups/{SLUG}/documents")
    coordinator.get_by_role("link", name="Upload documents").click()
    coordinator.get_by_label("Files").set_input_files(
        {
            "name": "eo-data-exchange.pdf",
            "mimeType": "application/pdf",
            "buffer": make_pdf([PAPER, "Proposals for a shared catalogue."]),
        }
    )
    coordinator.get_by_label("Title", exact=True).fill(PAPER)
    choose(coordinator.get_by_label("Agenda item", exact=True), ITEMS[2])
    coordinator.get_by_role("button", name="Upload", exact=True).click()
    # One file: the upload leads to the new document's page.
    expect(coordinator.get_by_text("1 document is uploaded.").first).to_be_visible()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(PAPER)
    expect(coordinator.locator("main")).to_contain_text(f"agenda item 2: {ITEMS[2]}")
    shoot(coordinator, "working-paper")

    delegate = open_page("expert.kg@kg.example.org")
    set_profile(delegate, timezone="Asia/Bishkek")
    delegate.goto(f"/groups/{SLUG}/meetings")
    delegate.get_by_role("link", name=TITLE).first.click()
    expect(delegate).to_have_url(meeting_url)
    when = delegate.locator("main")
    expect(when).to_contain_text(format_date(day, "medium", locale="en"))
    # Times by CLDR's English pattern (Babel's, not Konsey's reading of it).
    expect(when).to_contain_text(_range(10, 12, "Asia/Baku"))
    # Bishkek is two hours ahead of Baku.
    expect(when).to_contain_text(_range(12, 14, "Asia/Bishkek"))
    expect(agenda_titles(delegate)).to_have_text(reordered)
    shoot(delegate, "meeting-seen-from-bishkek")


def _range(start: int, end: int, zone: str) -> re.Pattern:
    def clock(hour: int) -> str:
        return re.escape(format_time(time(hour, 0), "short", locale="en"))

    return re.compile(rf"{clock(start)}\s*[–-]\s*{clock(end)}\s+{re.escape(zone)}")
