"""The main pages of the demo, found through the UI (ids differ per run)."""

from __future__ import annotations

import re

from playwright.sync_api import Page

GROUP = "/groups/cyber-security"


def _first_href(page: Page, path: str, name: re.Pattern) -> str:
    page.goto(path)
    link = page.get_by_role("main").get_by_role("link", name=name).first
    return link.get_attribute("href")


def minutes_of(page: Page, group: str = GROUP) -> str:
    """The address of the minutes of the group's demo meeting."""
    return _first_href(page, f"{group}/minutes", re.compile("^Meeting of the"))


def action_of(page: Page, group: str = GROUP) -> str:
    """The address of an action that Kazakhstan owes in the group."""
    return _first_href(page, f"{group}/actions", re.compile("^Kazakhstan: "))


def upcoming_meeting(page: Page, group: str = "/groups/e-government") -> str:
    """The address of the group's planned demo meeting (its agenda can change)."""
    return _first_href(page, f"{group}/meetings", re.compile("Sub-Working Group on E-Government"))


def demo_objects(page: Page) -> dict[str, str]:
    """Addresses of a meeting with minutes, its minutes, a document and an
    action of the cyber-security group (as its coordinator)."""
    minutes = minutes_of(page)
    return {
        "minutes": minutes,
        "meeting": minutes.removesuffix("/minutes"),
        "document": _first_href(page, f"{GROUP}/documents", re.compile(": working paper$")),
        "action": action_of(page),
    }


def coordinator_paths(found: dict[str, str]) -> list[str]:
    """What a coordinator works with: lists, pages, and the forms that change them."""
    return [
        "/",
        "/groups",
        GROUP,
        f"{GROUP}/roster",
        f"{GROUP}/meetings",
        f"{GROUP}/meetings/new",
        found["meeting"],
        f"{found['meeting']}/edit",
        f"{found['meeting']}/agenda/new",
        f"{found['meeting']}/attendance",
        f"{found['meeting']}/participants",
        f"{found['meeting']}/participants/new",
        f"{found['meeting']}/participants/print",
        f"{found['meeting']}/participants/attendance",
        found["minutes"],
        f"{found['minutes']}/print",
        f"{GROUP}/minutes",
        f"{GROUP}/documents",
        f"{GROUP}/documents/upload",
        found["document"],
        "/search?q=cyber",
        f"{GROUP}/actions",
        f"{GROUP}/actions/new",
        found["action"],
        f"{found['action']}/edit",
        "/actions/mine",
        "/actions/council",
        "/account",
        "/account/sessions",
        "/account/2fa",
    ]


ADMIN_PATHS = [
    "/admin/",
    "/admin/states",
    "/admin/states/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/groups",
    "/admin/groups/new",
    "/admin/audit",
    "/admin/outbox",
]
