"""Journey 5: an outsider and an observer try the group's restricted pages
and are refused, with a page that says so; nothing restricted is shown."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.i18n import t
from tests.e2e.ui import shoot

REFUSED = "You do not have access to this page."


def links_seen_by_coordinator(page: Page, slug: str) -> dict[str, str]:
    """Addresses of a meeting, its minutes and a group-only document."""
    main = page.get_by_role("main")
    page.goto(f"/groups/{slug}/minutes")
    minutes = main.get_by_role("link", name=re.compile("^Meeting of the")).first
    minutes = minutes.get_attribute("href")
    page.goto(f"/groups/{slug}/documents")
    paper = main.get_by_role("link", name=re.compile(": working paper$")).first
    paper = paper.get_attribute("href")
    return {"minutes": minutes, "paper": paper, "meeting": minutes.removesuffix("/minutes")}


def assert_refused(page: Page, url: str, lang: str) -> None:
    response = page.goto(url)
    assert response.status == 403, (url, response.status)
    expect(page.get_by_role("main")).to_contain_text(t(lang, REFUSED))


def test_journey_5_outsider_and_observer_are_refused(open_page):
    coordinator = open_page("coordinator@secretariat.example.org")
    cyber = links_seen_by_coordinator(coordinator, "cyber-security")
    egov = links_seen_by_coordinator(coordinator, "e-government")

    # Kyrgyzstan's expert sits only in Satellite Services.
    outsider = open_page("expert.kg@kg.example.org")
    group = "/groups/cyber-security"
    for url in [
        group,
        f"{group}/roster",
        f"{group}/meetings",
        f"{group}/minutes",
        f"{group}/documents",
        f"{group}/actions",
        f"{group}/documents/upload",
        cyber["meeting"],
        cyber["minutes"],
        cyber["paper"],
    ]:
        assert_refused(outsider, url, "en")
    shoot(outsider, "outsider-refused")
    outsider.goto("/groups")
    expect(outsider.get_by_role("main")).to_contain_text("Cyber Security")  # it exists

    # Hungary's observer reads the E-Government group but never writes, and
    # never sees what the group keeps from its observers.
    observer = open_page("observer.hu@hu.example.org")
    observer.goto("/groups/e-government")
    expect(observer.get_by_role("heading", level=1)).to_contain_text("E-Government")
    observer.goto("/groups/e-government/documents")
    expect(observer.get_by_role("main")).not_to_contain_text("E-Government: working paper")
    expect(observer.get_by_role("link", name="Upload documents")).to_have_count(0)
    for url in [
        "/groups/e-government/documents/upload",
        "/groups/e-government/meetings/new",
        "/groups/e-government/actions/new",
        egov["paper"],
    ]:
        assert_refused(observer, url, "en")
    shoot(observer, "observer-refused")

    # A forged position on the circulated minutes is refused too.
    observer.goto(egov["minutes"])
    expect(observer.get_by_role("button", name=re.compile("Record the position"))).to_have_count(0)
    token = observer.locator("input[name=csrf_token]").first.get_attribute("value")
    response = observer.request.post(
        egov["minutes"] + "/positions",
        form={"csrf_token": token, "version": "1", "position": "agree"},
        max_redirects=0,
    )
    assert response.status == 403, response.status

    anonymous = open_page()
    anonymous.goto(group)
    expect(anonymous).to_have_url(re.compile(r"/login\?next="))
