"""The founding case as one record, in the browser (issue 15): the coordinator
plans the 3rd Meeting of the Ministers with its agenda and a paper;
Kazakhstan's head registers the delegation (a minister without an account);
the meeting is held and attendance recorded; the minutes are drafted with
their decisions, circulated, Turkey enters a reservation and version 3
changes the threat-exchange decision; all four agree, the Secretary General
confirms and signs, and the printable record shows version 3's decisions.
Kazakhstan then reports the action that came from a decision done, with its
note verbale's scan, and the coordinator acknowledges it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from konsey.documents.samples import make_pdf
from tests.e2e.test_actions_journey import report_done
from tests.e2e.test_minutes_journey import record_position, state_row
from tests.e2e.ui import choose, shoot

SLUG = "ict-ministers"
TITLE = "3rd Meeting of the Ministers in charge of ICT (Cholpon-Ata)"
COORDINATOR = "coordinator@secretariat.example.org"
SECRETARY_GENERAL = "secretary.general@secretariat.example.org"
HEADS = {
    "AZ": "head.az@az.example.org",
    "KZ": "head.kz@kz.example.org",
    "KG": "head.kg@kg.example.org",
    "TR": "head.tr@tr.example.org",
}
EXCHANGE = "Threat information exchange"
PLACE = "Place and date of the 4th Meeting"
PAPER = "Working paper: a council-wide threat information exchange"
MINISTER = "Bagdat Musin"
DECISION_EXCHANGE_1 = "The exchange of threat information is led by Turkey."
DECISION_EXCHANGE_3 = (
    "The exchange of threat information is led by Turkey together with Azerbaijan."
)
DECISION_PLACE = (
    "Kazakhstan informs the Secretariat, through diplomatic channels, of the place and "
    "date of the 4th Meeting."
)
RESERVATION = "Turkey proposes that Azerbaijan co-lead the threat information exchange."
TEXT_1 = (
    "# 3rd Meeting of the Ministers in charge of ICT\n\n"
    "Cholpon-Ata. The Ministers reviewed the work of the sub-working groups.\n"
)
TEXT_2 = TEXT_1 + "\nThe delegations thanked the Kyrgyz Republic for its hospitality.\n"
TEXT_3 = TEXT_2 + "\nThe threat information exchange is to be led jointly.\n"


def agenda(page: Page):
    return page.get_by_role("region", name="Agenda")


def write_version(page: Page, minutes_url: str, text: str, summary: str | None) -> None:
    page.goto(minutes_url)
    if summary:
        page.get_by_text(summary).click()
    page.get_by_label("Text of the minutes (Markdown)").fill(text)


def test_founding_case_as_one_record(open_page, live):
    yesterday = date.today() - timedelta(days=1)
    coordinator = open_page(COORDINATOR)

    # 1. Plan the 3rd Meeting (held yesterday in Cholpon-Ata), its agenda and a paper.
    coordinator.goto(f"/groups/{SLUG}/meetings")
    coordinator.get_by_role("link", name="Plan a meeting").click()
    coordinator.get_by_label("Title", exact=True).fill(TITLE)
    coordinator.get_by_label("Number", exact=True).fill("3rd Meeting")
    coordinator.get_by_label("Time zone of the venue").fill("Asia/Bishkek")
    coordinator.get_by_label("Date", exact=True).fill(yesterday.isoformat())
    coordinator.get_by_label("Starts at").fill("10:00")
    coordinator.get_by_label("Ends at").fill("13:00")
    coordinator.get_by_label("City").fill("Cholpon-Ata")
    coordinator.get_by_role("button", name="Create the meeting").click()
    heading = coordinator.get_by_role("heading", level=1)
    expect(heading).to_contain_text(TITLE)
    expect(heading).not_to_contain_text("3rd Meeting · 3rd Meeting")  # the number once
    meeting_url = coordinator.url
    for title in (EXCHANGE, PLACE):
        coordinator.get_by_role("link", name="Add an agenda item").click()
        coordinator.get_by_label("Title", exact=True).fill(title)
        coordinator.get_by_role("button", name="Save", exact=True).click()
        expect(agenda(coordinator)).to_contain_text(title)

    coordinator.goto(f"/groups/{SLUG}/documents")
    coordinator.get_by_role("link", name="Upload documents").click()
    coordinator.get_by_label("Files").set_input_files(
        {"name": "threat-exchange.pdf", "mimeType": "application/pdf",
         "buffer": make_pdf([PAPER, "Proposals for the Ministers."])}
    )  # fmt: skip
    coordinator.get_by_label("Title", exact=True).fill(PAPER)
    choose(coordinator.get_by_label("Agenda item", exact=True), EXCHANGE)
    coordinator.get_by_role("button", name="Upload", exact=True).click()
    expect(coordinator.get_by_text("1 document is uploaded.").first).to_be_visible()

    # The meeting page is the workspace: the paper sits under its agenda item.
    coordinator.goto(meeting_url)
    item = agenda(coordinator).get_by_role("listitem").filter(has_text=EXCHANGE).first
    expect(item.get_by_role("link", name=re.compile("English|EN"))).to_have_count(1)
    documents = coordinator.get_by_role("region", name="Documents of this meeting")
    expect(documents).to_contain_text(PAPER)

    # 2. Kazakhstan's head registers a minister without an account; the
    #    secretariat confirms, and records attendance after the meeting.
    participants_url = meeting_url + "/participants"
    head_kz = open_page(HEADS["KZ"])
    head_kz.goto(participants_url)
    head_kz.get_by_role("link", name="Add a participant").click()
    head_kz.get_by_label("Name (without an account)").fill(MINISTER)
    head_kz.get_by_label("Title or function").fill("Minister of Digital Development")
    head_kz.get_by_label("Organisation").fill("Ministry of Digital Development of Kazakhstan")
    head_kz.get_by_label("Head of delegation").check()
    head_kz.get_by_label("Accreditation: note verbale reference").fill("No. 14-1/2026-771")
    head_kz.get_by_role("button", name="Add to the list").click()
    expect(head_kz.get_by_text(f"{MINISTER} is on the list of participants.")).to_be_visible()

    coordinator.goto(participants_url)
    coordinator.get_by_role("button", name=f"Confirm {MINISTER}").click()
    expect(coordinator.get_by_text(f"{MINISTER} is confirmed.")).to_be_visible()
    coordinator.get_by_role("link", name="Record who attended").click()
    coordinator.get_by_label(re.compile(f"^{MINISTER}")).check()
    coordinator.get_by_role("button", name="Save the attendance").click()
    expect(coordinator.get_by_text("The attendance is recorded.")).to_be_visible()
    expect(coordinator.locator("tr", has_text=MINISTER)).to_contain_text("Attended")
    shoot(coordinator, "founding-participants")

    # 3. The minutes: version 1 with its decisions, version 2, circulated.
    minutes_url = meeting_url + "/minutes"
    write_version(coordinator, minutes_url, TEXT_1, None)
    coordinator.locator("#decisions-0-text").fill(DECISION_EXCHANGE_1)
    choose(coordinator.locator("#decisions-0-agenda_item"), EXCHANGE)
    coordinator.locator("#decisions-1-text").fill(DECISION_PLACE)
    choose(coordinator.locator("#decisions-1-agenda_item"), PLACE)
    coordinator.get_by_role("button", name="Save the version").click()
    decisions = coordinator.get_by_role("region", name="Decisions of version 1")
    expect(decisions).to_contain_text(DECISION_EXCHANGE_1)
    expect(decisions).to_contain_text(DECISION_PLACE)

    write_version(coordinator, minutes_url, TEXT_2, "Write version 2: text and decisions")
    coordinator.get_by_role("button", name="Save the version").click()
    expect(coordinator.get_by_role("region", name="Decisions of version 2")).to_contain_text(
        DECISION_EXCHANGE_1
    )
    # Version 1 was never circulated: nobody is told it was replaced.
    expect(coordinator.get_by_text(re.compile("Version 2 replaced version 1"))).to_have_count(0)

    coordinator.get_by_label("Comment deadline: date").fill(
        (date.today() + timedelta(days=10)).isoformat()
    )
    coordinator.get_by_label("Comment deadline: time").fill("18:00")
    coordinator.get_by_role("button", name="Circulate version 2").click()
    dialog = coordinator.get_by_role("dialog")
    expect(dialog).to_contain_text("Circulate version 2 and its decisions")
    dialog.get_by_role("button", name="Circulate version 2").click()
    expect(coordinator.get_by_text("Circulated for comments and positions").first).to_be_visible()

    heads = {code: (head_kz if code == "KZ" else open_page(email)) for code, email in HEADS.items()}
    record_position(heads["AZ"], minutes_url, 2)
    record_position(heads["TR"], minutes_url, 2, RESERVATION)
    expect(state_row(heads["TR"], "TR")).to_contain_text("Reservation")

    # 4. Version 3 changes the decision after Turkey's reservation.
    write_version(coordinator, minutes_url, TEXT_3, "Write version 3: text and decisions")
    coordinator.get_by_label("What changed (optional)").fill(
        "Joint lead, after Turkey's reservation."
    )
    coordinator.get_by_label("Decision 1", exact=True).fill(DECISION_EXCHANGE_3)
    coordinator.get_by_role("button", name="Save the version").click()
    decisions = coordinator.get_by_role("region", name="Decisions of version 3")
    expect(decisions).to_contain_text(DECISION_EXCHANGE_3)
    expect(decisions).to_contain_text(DECISION_PLACE)
    expect(
        coordinator.get_by_text(re.compile("Version 3 replaced version 2")).first
    ).to_be_visible()
    # The diff shows the decision's change.
    coordinator.goto(minutes_url + "/diff?from=2&to=3")
    expect(coordinator.locator("main ins").first).to_be_visible()
    expect(coordinator.locator("main")).to_contain_text("together with Azerbaijan")

    for code in HEADS:
        record_position(heads[code], minutes_url, 3)
        expect(state_row(heads[code], code)).to_contain_text("Agreed")
    expect(heads["TR"].get_by_text("Agreed by every participating member state")).to_be_visible()

    # 5. The Secretary General confirms and signs; the printable record shows
    #    version 3's decisions, not version 1's wording.
    secretary_general = open_page(SECRETARY_GENERAL)
    secretary_general.goto(minutes_url)
    secretary_general.get_by_role("button", name="Sign version 3").click()
    dialog = secretary_general.get_by_role("dialog")
    expect(dialog).to_contain_text("Signing freezes version 3 and its decisions for good.")
    dialog.get_by_role("button", name="Sign version 3").click()
    expect(secretary_general.get_by_text("Signed", exact=True).first).to_be_visible()
    secretary_general.get_by_role("link", name="Printable signed minutes").click()
    record = secretary_general.locator("main")
    expect(record).to_contain_text(DECISION_EXCHANGE_3)
    expect(record).to_contain_text(DECISION_PLACE)
    expect(record).not_to_contain_text(DECISION_EXCHANGE_1)
    expect(record).to_contain_text("Secretary General")
    shoot(secretary_general, "founding-signed-record")

    # 6. An action from the decision on the place and date, owed by Kazakhstan.
    coordinator.goto(minutes_url)
    signed_decisions = coordinator.get_by_role("region", name="Decisions of version 3")
    signed_decisions.get_by_role("listitem").filter(has_text=DECISION_PLACE).get_by_role(
        "link", name="Create an action from this decision"
    ).click()
    title = "Inform the Secretariat of the place and date of the 4th Meeting"
    coordinator.get_by_label("Title", exact=True).fill(title)
    choose(coordinator.locator("select[name=owner_state]"), "KZ")
    coordinator.get_by_label("Due date", exact=True).fill(
        (date.today() + timedelta(days=30)).isoformat()
    )
    coordinator.get_by_role("button", name="Create the action").click()
    expect(coordinator.get_by_text("The action is created.").first).to_be_visible()
    expect(coordinator.locator("main")).to_contain_text(f"item 3, {PLACE}")
    action_url = coordinator.url

    head_kz.goto(action_url)
    report_done(head_kz, "en", "The note verbale was sent.", "Note verbale No. 14-1/2026-790")
    expect(head_kz.get_by_role("region", name="History")).to_contain_text("reported done")

    coordinator.goto(action_url)
    settle = coordinator.get_by_role("region", name="Reported done: acknowledge or send back")
    settle.get_by_role("button", name="Acknowledge: done").click()
    expect(coordinator.get_by_text("Acknowledged: the action is done.").first).to_be_visible()

    # The workspace now tells the whole record: signed, the decisions and the action.
    coordinator.goto(meeting_url)
    expect(coordinator.locator("[aria-current=step]")).to_contain_text("Signed")
    item = agenda(coordinator).get_by_role("listitem").filter(has_text=PLACE).first
    expect(item).to_contain_text(DECISION_PLACE)
    expect(item).to_contain_text(title)
    expect(item).to_contain_text("done")
    shoot(coordinator, "founding-workspace")
    live.smtp.forget()  # the heads' notices of this journey are not the next one's
