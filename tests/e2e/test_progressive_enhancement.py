"""Reordering the agenda, changing an action's status and recording a
position on minutes happen in place with JavaScript (htmx, no page load)
and still work with JavaScript switched off (a form post and a new page)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

MEETING = "2nd Meeting of the Sub-Working Group on E-Government"
MINUTES = "Meeting of the Sub-Working Group on E-Government"


def mark_page(page: Page) -> None:
    """A flag on this document: it is gone if the browser loads a new page."""
    page.evaluate("window.__same_page = true")


def same_page(page: Page) -> bool:
    return page.evaluate("window.__same_page === true")


def agenda_titles(page: Page):
    return page.get_by_role("region", name="Agenda").get_by_role("heading", level=3)


def open_meeting(page: Page) -> None:
    page.goto("/groups/e-government/meetings")
    page.get_by_role("link", name=MEETING).first.click()
    expect(agenda_titles(page)).to_have_count(2)


def open_action(page: Page, slug: str) -> None:
    page.goto(f"/groups/{slug}/actions")
    page.get_by_role("link", name=re.compile(r"^Azerbaijan: contribution")).first.click()


def record_in_progress(page: Page, comment: str) -> None:
    # The progress form (the page also has the "Report this action done" form).
    form = page.get_by_role("region", name="Record progress")
    form.get_by_label("Status", exact=True).select_option("in_progress")
    form.get_by_label("Comment", exact=True).fill(comment)
    form.get_by_role("button", name="Record", exact=True).click()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("open → in progress")
    expect(history).to_contain_text(comment)


def open_minutes(page: Page) -> None:
    page.goto("/groups/e-government/minutes")
    page.get_by_role("link", name=re.compile(f"^{MINUTES}")).first.click()


def agree(page: Page, code: str) -> None:
    page.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name=re.compile("Record the position")).click()
    positions = page.get_by_role("region", name="Member states’ positions")
    row = positions.get_by_role("row").filter(has=page.get_by_role("rowheader", name=code))
    expect(row).to_contain_text("Agreed")


def test_with_javascript_the_page_updates_in_place(open_page):
    coordinator = open_page("coordinator@secretariat.example.org")
    open_meeting(coordinator)
    mark_page(coordinator)
    first, second = agenda_titles(coordinator).all_inner_texts()
    coordinator.get_by_role("button", name=f"Move up {second}").click()
    expect(agenda_titles(coordinator)).to_have_text([second, first])
    assert same_page(coordinator), "the agenda was reordered by loading a new page"

    head_az = open_page("head.az@az.example.org")
    open_action(head_az, "cyber-security")
    mark_page(head_az)
    record_in_progress(head_az, "Drafting has started.")
    assert same_page(head_az), "the action's status changed by loading a new page"

    head_kg = open_page("head.kg@kg.example.org")
    open_minutes(head_kg)
    mark_page(head_kg)
    agree(head_kg, "KG")
    assert same_page(head_kg), "the position was recorded by loading a new page"


def test_without_javascript_everything_still_works(open_page):
    coordinator = open_page("coordinator@secretariat.example.org", java_script_enabled=False)
    open_meeting(coordinator)
    first, second = agenda_titles(coordinator).all_inner_texts()
    coordinator.get_by_role("button", name=f"Move up {second}").click()
    expect(agenda_titles(coordinator)).to_have_text([second, first])

    head_az = open_page("head.az@az.example.org", java_script_enabled=False)
    open_action(head_az, "tasim-fibre")
    record_in_progress(head_az, "Consultations are under way.")

    head_kz = open_page("head.kz@kz.example.org", java_script_enabled=False)
    open_minutes(head_kz)
    agree(head_kz, "KZ")
