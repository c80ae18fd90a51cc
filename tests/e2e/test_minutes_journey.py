"""Journey 3: minutes drafted with a decision, circulated (confirmed), a
reservation, a new version that rewords the decision and that all four
member states agree to, signed (confirmed) — and then frozen."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.ui import shoot

MEETING = "Meeting of the Sub-Working Group on Cyber Security"
HEADS = {
    "AZ": "head.az@az.example.org",
    "KZ": "head.kz@kz.example.org",
    "KG": "head.kg@kg.example.org",
    "TR": "head.tr@tr.example.org",
}
RESERVATION = "Kyrgyzstan reserves its position on the second paragraph."
DECISION_1 = "The delegations exchange incident contacts; Turkey leads the exchange."
DECISION_2 = "The delegations exchange incident contacts; Turkey and Azerbaijan lead the exchange."
VERSION_2 = (
    "# Sub-Working Group on Cyber Security: minutes\n\n"
    "Istanbul, 8 November 2017. The delegations exchanged their national experience "
    "on incident response and prepared proposals for the Ministers.\n"
)


def positions(page: Page):
    return page.get_by_role("region", name="Member states’ positions")


def state_row(page: Page, code: str):
    return (
        positions(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(rf"^{code}\b")))
    )


def record_position(page: Page, url: str, version: int, reservation: str = "") -> None:
    page.goto(url)
    mine = page.get_by_role("region", name=f"Your state’s position on version {version}")
    if reservation:
        mine.get_by_label("Reservation", exact=True).check()
        mine.get_by_label("Reservation (required for a reservation)").fill(reservation)
    else:
        mine.get_by_label("Agree", exact=True).check()
    mine.get_by_role("button", name=f"Record the position on version {version}").click()


COORDINATOR = "coordinator@secretariat.example.org"


def link_in(message, fragment: str) -> str:
    """The URL in the email's text part that contains ``fragment``."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return next(u for u in re.findall(r"https?://\S+", text) if fragment in u)


def test_journey_3_minutes_agreed_signed_and_frozen(open_page, live):
    """Also told by email, as it happens: each head is asked for a position,
    the coordinator hears of the reservation, the heads hear that version 2
    replaced what they answered, and the coordinator that all agreed."""
    coordinator = open_page(COORDINATOR)
    coordinator.goto("/groups/cyber-security/minutes")
    coordinator.get_by_role("link", name=re.compile(MEETING)).first.click()
    url = coordinator.url
    expect(coordinator.get_by_text("Draft", exact=True)).to_be_visible()

    # The draft's decision, recorded in version 1.
    decide = coordinator.get_by_role("region", name="Record a decision in version 1")
    decide.get_by_label("Decision", exact=True).fill(DECISION_1)
    decide.get_by_label("Agenda item").select_option(label="2. Exchange of national experience")
    decide.get_by_role("button", name="Record the decision").click()
    decisions = coordinator.get_by_role("region", name="Decisions of version 1")
    expect(decisions).to_contain_text(DECISION_1)
    expect(decisions).to_contain_text("Agenda item 2: Exchange of national experience")

    deadline = date.today() + timedelta(days=10)
    coordinator.get_by_label("Comment deadline: date").fill(deadline.isoformat())
    coordinator.get_by_label("Comment deadline: time").fill("18:00")
    coordinator.get_by_role("button", name="Circulate version 1").click()
    # Circulating asks first (a dialog, with JavaScript).
    dialog = coordinator.get_by_role("dialog")
    expect(dialog).to_contain_text("Circulate version 1 and its decisions")
    dialog.get_by_role("button", name="Circulate version 1").click()
    expect(coordinator.get_by_text("Circulated for comments and positions").first).to_be_visible()
    asked = live.smtp.wait_for_notices("minutes.position_needed", HEADS.values())
    assert set(asked) == set(HEADS.values())  # heads only: not the delegate, not the coordinator
    assert "Asia/Almaty" in asked[HEADS["KZ"]].get_body(("plain",)).get_content()

    heads = {}
    for code, email in HEADS.items():
        heads[code] = open_page(email)
        if code == "AZ":  # straight from the email to the position form
            heads[code].goto(link_in(asked[email], "#position"))
            expect(
                heads[code].get_by_role("region", name="Your state’s position on version 1")
            ).to_be_in_viewport()
        record_position(heads[code], url, 1, RESERVATION if code == "KG" else "")
        expect(state_row(heads[code], code)).to_contain_text(
            "Reservation" if code == "KG" else "Agreed"
        )
    expect(state_row(heads["TR"], "KG")).to_contain_text(RESERVATION)
    reservation = live.smtp.wait_for_notices("minutes.reservation", [COORDINATOR])
    assert set(reservation) == {COORDINATOR}
    assert RESERVATION in reservation[COORDINATOR].get_body(("plain",)).get_content()
    expect(positions(heads["TR"])).to_contain_text("3 of 4 participating member states agree.")
    shoot(heads["TR"], "minutes-with-reservation")
    shoot(heads["TR"], "minutes-positions", positions(heads["TR"]))

    coordinator.goto(url)
    coordinator.get_by_text("Write version 2: text and decisions").click()
    coordinator.get_by_label("Text of the minutes (Markdown)").fill(VERSION_2)
    coordinator.get_by_label("What changed (optional)").fill("Second paragraph made precise.")
    coordinator.get_by_label("Decision 1", exact=True).fill(DECISION_2)
    coordinator.get_by_role("button", name="Save the version").click()
    decisions = coordinator.get_by_role("region", name="Decisions of version 2")
    expect(decisions).to_contain_text(DECISION_2)
    expect(decisions).not_to_contain_text(DECISION_1)
    replaced = coordinator.get_by_text(re.compile("Version 2 replaced version 1"))
    expect(replaced.first).to_be_visible()
    for code in HEADS:
        expect(state_row(coordinator, code)).to_contain_text("Pending")
    expect(state_row(coordinator, "KG")).to_contain_text("Earlier: Reservation on version 1")
    reset = live.smtp.wait_for_notices("minutes.position_reset", HEADS.values())
    az = reset[HEADS["AZ"]].get_body(("plain",)).get_content()
    assert "agreement on version 1 no longer counts: version 2 replaced it" in az
    assert "Second paragraph made precise." in az

    for code, page in heads.items():
        if code == "AZ":  # the link in the email opens the form on version 2, in a new tab
            page = page.context.new_page()
            page.goto(link_in(reset[HEADS["AZ"]], "#position"))
            mine = page.get_by_role("region", name="Your state’s position on version 2")
            mine.get_by_label("Agree", exact=True).check()
            mine.get_by_role("button", name="Record the position on version 2").click()
            continue
        record_position(page, url, 2)
        expect(state_row(page, code)).to_contain_text("Agreed")
    expect(positions(heads["TR"])).to_contain_text("4 of 4 participating member states agree.")
    expect(heads["TR"].get_by_text("Agreed by every participating member state")).to_be_visible()
    agreed = live.smtp.wait_for_notices("minutes.agreed", [COORDINATOR])
    assert set(agreed) == {COORDINATOR}  # ready to sign: not the heads

    coordinator.goto(url)
    coordinator.get_by_role("button", name="Sign version 2").click()
    dialog = coordinator.get_by_role("dialog")
    expect(dialog).to_contain_text("Signing freezes version 2 and its decisions for good.")
    dialog.get_by_role("button", name="Sign version 2").click()
    expect(coordinator.get_by_text("Signed", exact=True).first).to_be_visible()
    facts = coordinator.locator("main dl").first
    expect(facts).to_contain_text("Project Director (Secretariat)")
    history = coordinator.get_by_role("region", name="Version history")
    expect(
        history.get_by_role("row").filter(has_text="Second paragraph made precise.")
    ).to_have_count(1)
    # The first hash covers the signed text and decisions (the second, the whole record).
    expect(facts).to_contain_text("SHA-256 of the signed text and decisions")
    shoot(coordinator, "minutes-signed")
    # The printable record shows the signed version's decisions.
    coordinator.get_by_role("link", name="Printable signed minutes").click()
    expect(coordinator.locator("main")).to_contain_text(DECISION_2)
    expect(coordinator.locator("main")).not_to_contain_text(DECISION_1)
    coordinator.goto(url)

    # Frozen: no control to change it, and a forged POST is refused.
    for control in ("Save the version", "Circulate version 2", "Sign version 2"):
        expect(coordinator.get_by_role("button", name=control)).to_have_count(0)
    token = coordinator.locator("input[name=csrf_token]").first.get_attribute("value")
    response = coordinator.request.post(
        url + "/versions",
        form={"csrf_token": token, "text": "# Rewritten after signing", "note": "forged"},
        max_redirects=0,
    )
    assert 400 <= response.status < 500, response.status
    coordinator.reload()
    expect(coordinator.locator("main")).not_to_contain_text("Rewritten after signing")
    expect(history.get_by_role("row")).to_have_count(3)  # the header and two versions
