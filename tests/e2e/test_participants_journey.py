"""The list of participants in the browser: Kazakhstan's head of delegation
adds a participant without a Konsey account (with the accreditation), the
coordinator confirms the entry and, the meeting having begun, records who
attended."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.ui import shoot

SLUG = "tasim-fibre"
TITLE = "Extraordinary Meeting on Fibre-Optic Transit"
MINISTER = "Askar Zhumabekov"


def test_head_adds_a_participant_coordinator_confirms_and_records_attendance(open_page):
    yesterday = date.today() - timedelta(days=1)
    coordinator = open_page("coordinator@secretariat.example.org")
    coordinator.goto(f"/groups/{SLUG}/meetings")
    coordinator.get_by_role("link", name="Plan a meeting").click()
    coordinator.get_by_label("Title", exact=True).fill(TITLE)
    coordinator.get_by_label("Time zone of the venue").fill("Asia/Almaty")
    coordinator.get_by_label("Date", exact=True).fill(yesterday.isoformat())
    coordinator.get_by_label("Starts at").fill("10:00")
    coordinator.get_by_label("Ends at").fill("12:00")
    coordinator.get_by_label("City").fill("Astana")
    coordinator.get_by_label(re.compile("Review of previous decisions")).uncheck()
    coordinator.get_by_role("button", name="Create the meeting").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(TITLE)
    participants_url = coordinator.url + "/participants"

    head = open_page("head.kz@kz.example.org")
    head.goto(participants_url)
    head.get_by_role("link", name="Add a participant").click()
    expect(head.get_by_label("Delegation", exact=True)).to_contain_text("Kazakhstan")
    head.get_by_label("Name (without an account)").fill(MINISTER)
    head.get_by_label("Title or function").fill("Minister of Digital Development")
    head.get_by_label("Organisation").fill("Ministry of Digital Development of Kazakhstan")
    head.get_by_label("Head of delegation").check()
    head.get_by_label("Accreditation: note verbale reference").fill("No. 14-1/2026-512")
    head.get_by_label("Accreditation: date of the note verbale").fill(yesterday.isoformat())
    head.get_by_role("button", name="Add to the list").click()
    expect(head.get_by_text(f"{MINISTER} is on the list of participants.")).to_be_visible()
    row = head.locator("tr", has_text=MINISTER)
    expect(row).to_contain_text("No account")
    expect(row).to_contain_text("Not yet confirmed")
    expect(head.get_by_role("button", name=f"Confirm {MINISTER}")).to_have_count(0)
    shoot(head, "participants-head")

    coordinator.goto(participants_url)
    coordinator.get_by_role("button", name=f"Confirm {MINISTER}").click()
    expect(coordinator.get_by_text(f"{MINISTER} is confirmed.")).to_be_visible()
    row = coordinator.locator("tr", has_text=MINISTER)
    expect(row).to_contain_text("Confirmed")
    expect(row).to_contain_text("Not recorded")

    coordinator.get_by_role("link", name="Record who attended").click()
    coordinator.get_by_label(re.compile(f"^{MINISTER}")).check()
    coordinator.get_by_role("button", name="Save the attendance").click()
    expect(coordinator.get_by_text("The attendance is recorded.")).to_be_visible()
    row = coordinator.locator("tr", has_text=MINISTER)
    expect(row.locator("td").nth(5)).to_have_text("Attended")
    shoot(coordinator, "participants-attended")

    # The printable view: the list without the site's navigation.
    coordinator.goto(participants_url + "/print")
    expect(coordinator.locator("main")).to_contain_text(MINISTER)
    expect(coordinator.locator(".site-header")).to_have_count(0)
