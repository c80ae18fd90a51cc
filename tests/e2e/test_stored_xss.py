"""Stored XSS (OWASP ASVS V5.3): every field a user writes is filled through
the forms with hostile markup, and every page that shows it is opened in
Chromium.

The pages are read with the Content-Security-Policy switched off
(``bypass_csp``), so the test measures the escaping and the Markdown
sanitiser alone, not the CSP behind them: if escaping were removed the
payloads would run (``window.__xss``, a dialog), become elements with event
handlers, and stop reading as text — each of which fails the test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.live_server import DEMO_PASSWORD
from tests.e2e.ui import choose

SLUG = "xss-lab"
ADMIN = "admin@secretariat.example.org"
COORDINATOR = "coordinator@secretariat.example.org"
HEAD_KZ = "head.kz@kz.example.org"
HOSTILE_USER = "xss.user@kz.example.org"


def hostile(field: str) -> str:
    """Plain-text fields: shown exactly as typed, never as markup."""
    return (
        f"{field} <script>window.__xss=1</script>"
        f"<img src=x onerror=\"window.__xss=1;alert('{field}')\">"
        f'"><svg onload=window.__xss=1>'
    )


# Markdown fields: rendered, so the check is that nothing active survives.
MARKDOWN = (
    "**bold** [click](javascript:window.__xss=1) <script>window.__xss=1</script> "
    '<img src=x onerror="window.__xss=1;alert(1)"> <a href="javascript:window.__xss=1">a</a> '
    '<svg onload="window.__xss=1"></svg> <iframe src="javascript:window.__xss=1"></iframe> '
    '<form action="javascript:window.__xss=1"><button>b</button></form>'
)
FILE_NAME = "\"><svg onload=window.__xss=1><img src=x onerror=alert('file')>.txt"
TOKEN_NAME = "token <img src=x onerror=alert('token')>\"><svg onload=window.__xss=1>"
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux) <img src=x onerror=alert('ua')><script>window.__xss=1</script>"
)

# Anything that could run: inline scripts, event handlers, javascript: URLs.
ACTIVE_CONTENT_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    if (el.tagName === 'SCRIPT' && !el.src) found.push('inline <script>');
    if (['IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push('<' + el.tagName + '>');
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
      if (/^\\s*javascript:/i.test(attr.value)) found.push(el.tagName + ' ' + attr.name + ': js');
    }
  }
  return found;
}"""


def flash(page: Page, text: str | re.Pattern) -> None:
    expect(page.get_by_text(text).first).to_be_visible()


def add_member(page: Page, email: str, state: str | None, role: str) -> None:
    page.goto(f"/groups/{SLUG}/roster")
    form = page.get_by_role("region", name="Add a member")
    form.get_by_label("Email of the person").fill(email)
    if state:
        choose(form.get_by_label("Delegation", exact=True), state)
    form.get_by_label("Role", exact=True).select_option(role)
    form.get_by_role("button", name="Add", exact=True).click()
    flash(page, re.compile("is added to the group"))


def write_everything(open_page) -> dict[str, str]:
    """Hostile values in every form, as the people allowed to write them."""
    admin = open_page(ADMIN)
    admin.goto("/admin/users/new")
    form = admin.get_by_role("main")
    form.get_by_label("Email", exact=True).fill(HOSTILE_USER)
    form.get_by_label("Name", exact=True).fill(hostile("user-name"))
    choose(form.get_by_label("Member state", exact=True), "Kazakhstan")
    form.get_by_role("button", name="Send the invitation").click()
    flash(admin, "The invitation is sent.")

    admin.goto("/admin/groups/new")
    form = admin.get_by_role("main")
    form.get_by_label("Short name (in addresses)").fill(SLUG)
    form.get_by_label("Name", exact=True).fill(hostile("group-name"))
    form.get_by_label("Mandate", exact=True).fill(hostile("mandate"))
    form.get_by_role("button", name="Save", exact=True).click()
    flash(admin, "The working group is saved.")
    add_member(admin, COORDINATOR, None, "coordinator")
    add_member(admin, HEAD_KZ, "Kazakhstan", "head")
    add_member(admin, HOSTILE_USER, "Kazakhstan", "delegate")

    coordinator = open_page(COORDINATOR)
    coordinator.goto(f"/groups/{SLUG}/meetings/new")
    main = coordinator.get_by_role("main")
    main.get_by_label("Title", exact=True).fill(hostile("meeting-title"))
    main.get_by_label("Time zone of the venue").fill("Europe/Istanbul")
    # Begun yesterday (minutes are circulated only once a meeting has begun) and
    # still going on for two days: it is among the next meetings on home pages.
    main.get_by_label("Date", exact=True).fill((date.today() - timedelta(days=1)).isoformat())
    main.get_by_label("Starts at").fill("10:00")
    main.get_by_label("Last day (if not the same day)").fill(
        (date.today() + timedelta(days=2)).isoformat()
    )
    main.get_by_label("Ends at").fill("12:00")
    main.get_by_label("City").fill(hostile("city"))
    main.get_by_label("Address").fill(hostile("address"))
    main.get_by_role("button", name="Create the meeting").click()
    flash(coordinator, "The meeting is created.")
    meeting = coordinator.url

    coordinator.get_by_role("link", name="Add an agenda item").click()
    main.get_by_label("Title", exact=True).fill(hostile("agenda-title"))
    main.get_by_label("Description", exact=True).fill(MARKDOWN)
    main.get_by_label("Outcome", exact=True).fill(MARKDOWN)
    main.get_by_role("button", name="Save", exact=True).click()
    flash(coordinator, "The agenda item is added.")

    minutes = meeting + "/minutes"
    coordinator.goto(minutes)
    main.get_by_label("Text of the minutes (Markdown)").fill(MARKDOWN)
    main.get_by_label("What changed (optional)").fill(hostile("minutes-note"))
    main.get_by_role("button", name="Save the version").click()
    expect(main.get_by_role("heading", name="Text of version 1")).to_be_visible()
    main.get_by_label("Decision", exact=True).fill(hostile("decision"))
    main.get_by_role("button", name="Record the decision").click()
    expect(main).to_contain_text(hostile("decision"))
    main.get_by_label("Comment deadline: date").fill((date.today() + timedelta(days=9)).isoformat())
    main.get_by_label("Comment deadline: time").fill("18:00")
    main.get_by_role("button", name="Circulate version 1").click()
    coordinator.get_by_role("dialog").get_by_role("button", name="Circulate version 1").click()
    flash(coordinator, "Circulated for comments and positions")

    coordinator.goto(f"/groups/{SLUG}/actions/new")
    main.get_by_label("Title", exact=True).fill(hostile("action-title"))
    main.get_by_label("Description (Markdown)").fill(MARKDOWN)
    choose(main.locator("select[name=owner_state]"), "KZ")
    choose(main.locator("select[name=assignee]"), "user-name")
    main.get_by_label("Due date", exact=True).fill((date.today() + timedelta(days=5)).isoformat())
    main.get_by_role("button", name="Create the action").click()
    flash(coordinator, "The action is created.")
    action = coordinator.url

    coordinator.goto(f"/groups/{SLUG}/documents/upload")
    main.get_by_label("Files").set_input_files(
        {"name": FILE_NAME, "mimeType": "text/plain", "buffer": b"A plain text paper.\n"}
    )
    main.get_by_label("Title", exact=True).fill(hostile("document-title"))
    main.get_by_label("Description", exact=True).fill(hostile("document-description"))
    choose(main.get_by_label("Agenda item", exact=True), "agenda-title")
    main.get_by_role("button", name="Upload", exact=True).click()
    flash(coordinator, "1 document is uploaded.")
    document = coordinator.url

    head = open_page(HEAD_KZ)
    head.goto(minutes)
    main = head.get_by_role("main")
    main.get_by_label("Your comment").fill(hostile("comment"))
    main.get_by_role("button", name="Add the comment").click()
    expect(main).to_contain_text(hostile("comment"))
    main.get_by_label("Reservation", exact=True).check()
    main.get_by_label("Reservation (required for a reservation)").fill(hostile("reservation"))
    main.get_by_role("button", name="Record the position on version 1").click()
    expect(main).to_contain_text(hostile("reservation"))

    head.goto(action)
    progress = head.get_by_role("region", name="Record progress")
    progress.get_by_label("Status", exact=True).select_option("in_progress")
    progress.get_by_label("Comment", exact=True).fill(hostile("update-comment"))
    progress.get_by_label("Reference (e.g. note verbale number and date)").fill(
        hostile("reference")
    )
    progress.get_by_role("button", name="Record", exact=True).click()
    flash(head, "The update is recorded.")

    # A token name, and a session from a browser whose User-Agent is hostile.
    head.goto("/account")
    main.get_by_label("Token name").fill(TOKEN_NAME)
    # Creating a token asks for the password again.
    main.locator("#token-password").fill(DEMO_PASSWORD)
    main.get_by_role("button", name="Create a token").click()
    expect(main.get_by_role("table").filter(has_text="Begins with")).to_contain_text(TOKEN_NAME)
    open_page(HEAD_KZ, user_agent=USER_AGENT)
    return {"meeting": meeting, "minutes": minutes, "action": action, "document": document}


def literal(field: str) -> str:
    return {"file-name": FILE_NAME, "token-name": TOKEN_NAME}.get(field) or hostile(field)


def problems_on(page: Page, url: str, fields: list[str]) -> list[str]:
    page.wait_for_load_state("load")
    problems = []
    text = page.locator("body").inner_text()
    for field in fields:
        if literal(field) not in text:
            problems.append(f"{url}: {field} is not shown as the text typed")
    if page.evaluate("typeof window.__xss") != "undefined":
        problems.append(f"{url}: a payload ran (window.__xss is set)")
    return problems + [f"{url}: {found}" for found in page.evaluate(ACTIVE_CONTENT_JS)]


def test_the_checks_catch_markup_that_was_not_escaped(open_page):
    """The control: the same checks on a page where a payload went in as HTML."""
    page = open_page(bypass_csp=True)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/login")
    page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('beforeend', html)",
        hostile("control"),
    )
    problems = problems_on(page, "/login", ["control"])
    assert "/login: control is not shown as the text typed" in problems
    assert "/login: a payload ran (window.__xss is set)" in problems
    assert "/login: IMG onerror" in problems and "/login: svg onload" in problems
    assert dialogs == ["control"]


def test_hostile_input_is_shown_as_text_and_never_runs(open_page):
    urls = write_everything(open_page)
    group = f"/groups/{SLUG}"
    # Who reads which page, and the plain-text fields it must show literally.
    visits = {
        COORDINATOR: [
            ("/groups", ["group-name"]),
            (group, ["group-name", "mandate"]),
            (f"{group}/roster", ["user-name"]),
            (f"{group}/meetings", ["meeting-title"]),
            (urls["meeting"], ["meeting-title", "city", "address", "agenda-title"]),
            (urls["minutes"], ["decision", "comment", "reservation", "minutes-note"]),
            (f"{group}/minutes", ["meeting-title"]),
            (f"{group}/documents", ["document-title"]),
            (
                urls["document"],
                ["document-title", "document-description", "agenda-title", "file-name"],
            ),
            ("/search?q=document", ["document-title"]),
            (f"{group}/actions", ["action-title"]),
            (urls["action"], ["action-title", "user-name", "update-comment", "reference"]),
        ],
        HEAD_KZ: [
            ("/", ["meeting-title", "action-title"]),
            ("/actions/mine", ["action-title"]),
            (urls["minutes"], ["decision", "comment", "reservation"]),
            ("/account", ["token-name"]),
            ("/account/sessions", []),
        ],
        ADMIN: [
            ("/admin/users", ["user-name"]),
            ("/admin/groups", ["group-name"]),
            ("/admin/audit", []),
            ("/admin/outbox", []),
        ],
    }
    problems = []
    for email, pages in visits.items():
        page = open_page(email, bypass_csp=True)
        dialogs = []
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        for url, fields in pages:
            response = page.goto(url)
            assert response.ok, (url, response.status)
            problems += problems_on(page, url, fields)
        problems += [f"{email}: a dialog opened: {message}" for message in dialogs]
    assert not problems, "\n".join(problems)
