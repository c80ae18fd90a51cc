"""Journeys 1 and 6: Kazakhstan's head of delegation carries an action owed
by Kazakhstan to "reported done" with its note verbale scan, the coordinator
acknowledges it (done) and sees it on the group's matrix — in English, then
in Russian and in Turkish."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from konsey.documents import samples
from tests.e2e.i18n import t
from tests.e2e.ui import choose, set_language, shoot

HEAD_KZ = "head.kz@kz.example.org"
COORDINATOR = "coordinator@secretariat.example.org"
FOUNDING_ACTION = (
    "Inform the Secretariat, through diplomatic channels, of the place and date of the 3rd "
    "Ministerial Meeting"
)


def kz_done_cell(page: Page, lang: str, slug: str):
    """The "Done" cell of Kazakhstan's row on the group home's matrix."""
    page.goto(f"/groups/{slug}")
    matrix = page.get_by_role("region", name=t(lang, "Actions by member state"))
    headers = matrix.get_by_role("columnheader").all_inner_texts()
    column = [h.strip() for h in headers].index(t(lang, "Done"))
    row = matrix.get_by_role("row").filter(has=page.get_by_role("rowheader", name="KZ"))
    # The row header is the first column; the cells are the others.
    return row.get_by_role("cell").nth(column - 1)


def create_action_for_kz(page: Page, lang: str, slug: str, title: str) -> None:
    page.goto(f"/groups/{slug}/actions/new")
    expect(page.get_by_role("heading", name=t(lang, "New action"))).to_be_visible()
    page.get_by_label(t(lang, "Title"), exact=True).fill(title)
    choose(page.locator("select[name=owner_state]"), "KZ")
    page.get_by_label(t(lang, "Due date"), exact=True).fill(
        (date.today() + timedelta(days=14)).isoformat()
    )
    page.get_by_role("button", name=t(lang, "Create the action")).click()
    expect(page.get_by_text(t(lang, "The action is created.")).first).to_be_visible()


def record(page: Page, lang: str, status: str, comment: str, reference: str = "") -> None:
    form = page.get_by_role("region", name=t(lang, "Record progress"))
    form.get_by_label(t(lang, "Status"), exact=True).select_option(label=t(lang, status))
    form.get_by_label(t(lang, "Comment"), exact=True).fill(comment)
    if reference:
        form.get_by_label(t(lang, "Reference (e.g. note verbale number and date)")).fill(reference)
    form.get_by_role("button", name=t(lang, "Record"), exact=True).click()
    expect(page.get_by_text(t(lang, "The update is recorded.")).first).to_be_visible()


def report_done(page: Page, lang: str, comment: str, reference: str) -> None:
    """The delegation reports the action done, with its note verbale's scan."""
    form = page.get_by_role("region", name=t(lang, "Report this action done"))
    form.get_by_label(t(lang, "Reference (the note verbale's number and date)")).fill(reference)
    form.get_by_label(t(lang, "Comment"), exact=True).fill(comment)
    form.get_by_label(t(lang, "Evidence (a scan of the note verbale, optional)")).set_input_files(
        {"name": "nv-21-7.pdf", "mimeType": "application/pdf",
         "buffer": samples.make_pdf([f"Note verbale {reference}"])}
    )  # fmt: skip
    form.get_by_role("button", name=t(lang, "Report done")).click()
    expect(
        page.get_by_text(t(lang, "Reported done: the secretariat will acknowledge it.")).first
    ).to_be_visible()


def journey_1(open_page, lang: str, slug: str, title: str, head=None, coordinator=None) -> None:
    if coordinator is None:
        coordinator = open_page(COORDINATOR)
    done_before = int(kz_done_cell(coordinator, lang, slug).inner_text())

    if head is None:
        head = open_page(HEAD_KZ)
    head.goto("/")  # the home page: what needs me?
    shoot(head, f"{lang}-home")
    head.get_by_role("link", name=t(lang, "My actions"), exact=True).first.click()
    expect(head.get_by_role("heading", name=t(lang, "My actions"), exact=True)).to_be_visible()
    head.get_by_role("link", name=title).click()
    expect(head.get_by_role("heading", name=title)).to_be_visible()
    shoot(head, f"{lang}-action-open")

    record(head, lang, "in progress", "Consultations with the Ministry have begun.")
    history = head.get_by_role("region", name=t(lang, "History"))
    expect(history).to_contain_text(f"{t(lang, 'open')} → {t(lang, 'in progress')}")
    expect(history).to_contain_text("Consultations with the Ministry have begun.")

    report_done(head, lang, "Sent to the Secretariat.", "Note verbale No. 21/7")
    history = head.get_by_role("region", name=t(lang, "History"))
    expect(history).to_contain_text(f"{t(lang, 'in progress')} → {t(lang, 'reported done')}")
    expect(history).to_contain_text(t(lang, "Reference: %(ref)s", ref="Note verbale No. 21/7"))
    evidence = history.get_by_role(
        "link", name=t(lang, "Evidence: %(title)s", title=""), exact=False
    )
    expect(evidence).to_have_count(1)
    shoot(head, f"{lang}-action-reported")

    # The secretariat acknowledges the report: now it is done.
    coordinator.goto(head.url)
    settle = coordinator.get_by_role(
        "region", name=t(lang, "Reported done: acknowledge or send back")
    )
    settle.get_by_role("button", name=t(lang, "Acknowledge: done")).click()
    expect(
        coordinator.get_by_text(t(lang, "Acknowledged: the action is done.")).first
    ).to_be_visible()
    head.reload()
    expect(
        head.get_by_text(t(lang, "This action is closed; only a coordinator can reopen it."))
    ).to_be_visible()
    expect(head.get_by_role("button", name=t(lang, "Record"), exact=True)).to_have_count(0)
    shoot(head, f"{lang}-action-done")

    cell = kz_done_cell(coordinator, lang, slug)
    expect(cell).to_have_text(str(done_before + 1))
    shoot(coordinator, f"{lang}-group-matrix")
    cell.get_by_role("link").click()
    done_row = coordinator.get_by_role("row").filter(has_text=title)
    expect(done_row).to_contain_text(t(lang, "done"))


def test_journey_1_head_of_delegation_completes_an_action(open_page):
    journey_1(open_page, "en", "ict-ministers", FOUNDING_ACTION)


def switch_language(page: Page, lang: str) -> None:
    """Russian with the header's switcher, Turkish on the account page, reading
    the labels in the language shown at the time."""
    shown = page.locator("html").get_attribute("lang")
    if lang == "ru":
        switcher = page.get_by_role("banner")
        # Applied on choice (language.js): no button to press.
        switcher.get_by_label(t(shown, "Language"), exact=True).select_option(lang)
        expect(page.locator("html")).to_have_attribute("lang", lang)
    else:
        page.goto("/account")
        profile = page.get_by_role("region", name=t(shown, "Profile and notifications"))
        profile.get_by_label(t(shown, "Language"), exact=True).select_option(lang)
        profile.get_by_role("button", name=t(shown, "Save"), exact=True).click()
        expect(page.get_by_text(t(lang, "Your settings are saved.")).first).to_be_visible()
        expect(page.get_by_role("heading", name=t(lang, "My account"))).to_be_visible()


def test_journey_6_the_same_in_russian_and_turkish(open_page):
    head = open_page(HEAD_KZ)
    coordinator = open_page(COORDINATOR)
    try:
        for lang, slug in (("ru", "tasim-fibre"), ("tr", "e-government")):
            title = f"KZ: national broadband report ({lang})"
            set_language(coordinator, lang)
            create_action_for_kz(coordinator, lang, slug, title)
            switch_language(head, lang)
            journey_1(open_page, lang, slug, title, head=head, coordinator=coordinator)
    finally:
        # The other journeys expect these people to read English.
        for page in (head, coordinator):
            set_language(page, "en")
