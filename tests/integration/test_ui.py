"""The web interface as a whole: htmx fragments beside plain form posts, a
strict Content-Security-Policy on every page, labelled fields, named
buttons, colour contrast, and the language switch for logged-in users."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AuditEvent,
    Meeting,
    Minutes,
    MinutesPosition,
    User,
)

HX = {"HX-Request": "true"}
STATIC = Path(__file__).resolve().parents[2] / "platform" / "konsey" / "static"


def _one(query):
    db.session.rollback()  # see what the requests committed
    db.session.expire_all()
    return db.session.scalar(query)


def _egov_meeting() -> Meeting:
    return _one(select(Meeting).where(Meeting.title.startswith("2nd Meeting of the Sub-Working")))


def _agenda_titles(meeting_id: int) -> list[str]:
    db.session.rollback()
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AgendaItem.title)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        )
    )


def _post(client, url, data, headers=None):
    data = {"csrf_token": client.csrf(), **data}
    return client.http.post(url, data=data, headers=headers or {})


# Agenda reordering -------------------------------------------------------------
def test_move_agenda_item_with_htmx_returns_the_agenda_fragment(demo, client):
    meeting = _egov_meeting()
    first, second = _agenda_titles(meeting.id)
    item_id = _one(select(AgendaItem.id).where(AgendaItem.title == second))
    client.login("coordinator@secretariat.example.org")
    client.get(f"/meetings/{meeting.id}")
    response = _post(
        client, f"/meetings/{meeting.id}/agenda/{item_id}/move", {"direction": "up"}, HX
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="agenda-list"')
    assert body.index(second) < body.index(first)  # the new order, shown
    assert 'data-hx-swap-oob="innerHTML"' in body  # announced in the live region
    assert "HX-Request" in response.headers.get("Vary", "")
    assert _agenda_titles(meeting.id) == [second, first]


def test_move_agenda_item_without_javascript_redirects(demo, client):
    meeting = _egov_meeting()
    first, second = _agenda_titles(meeting.id)
    item_id = _one(select(AgendaItem.id).where(AgendaItem.title == first))
    client.login("coordinator@secretariat.example.org")
    client.get(f"/meetings/{meeting.id}")
    response = _post(client, f"/meetings/{meeting.id}/agenda/{item_id}/move", {"direction": "down"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#item-{item_id}")
    assert _agenda_titles(meeting.id) == [second, first]


def test_move_agenda_item_bad_direction_with_htmx_changes_nothing(demo, client):
    meeting = _egov_meeting()
    before = _agenda_titles(meeting.id)
    item_id = _one(select(AgendaItem.id).where(AgendaItem.title == before[0]))
    client.login("coordinator@secretariat.example.org")
    client.get(f"/meetings/{meeting.id}")
    response = _post(
        client, f"/meetings/{meeting.id}/agenda/{item_id}/move", {"direction": "sideways"}, HX
    )
    assert response.status_code == 422
    assert "<html" not in response.get_data(as_text=True)
    assert _agenda_titles(meeting.id) == before


def test_htmx_move_by_a_delegate_is_refused(demo, client):
    meeting = _egov_meeting()
    before = _agenda_titles(meeting.id)
    item_id = _one(select(AgendaItem.id).where(AgendaItem.title == before[1]))
    client.login("head.kz@kz.example.org")
    client.get(f"/meetings/{meeting.id}")
    response = _post(
        client,
        f"/meetings/{meeting.id}/agenda/{item_id}/move",
        {"direction": "up"},
        {**HX, "HX-Target": "agenda-list"},
    )
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    # The refusal takes the fragment's place, not a whole page inside it.
    assert "<html" not in body and 'id="agenda-list"' in body and 'role="alert"' in body
    assert _agenda_titles(meeting.id) == before


# Action status ---------------------------------------------------------------------
def _kz_action() -> ActionItem:
    return _one(
        select(ActionItem).where(
            ActionItem.title == "Kazakhstan: contribution to the E-Government work plan"
        )
    )


def test_action_status_with_htmx_returns_the_progress_fragment(demo, client):
    item = _kz_action()
    url = f"/groups/e-government/actions/{item.id}"
    client.login("head.kz@kz.example.org")
    client.get(url)
    response = _post(
        client, f"{url}/update", {"status": "in_progress", "comment": "Draft is ready."}, HX
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="action-progress"')
    assert "Draft is ready." in body
    assert 'name="csrf_token"' in body  # the form is ready for the next update
    response = _post(
        client, f"{url}/update", {"status": "done", "comment": "Sent by note verbale."}, HX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    # A delegation's "done" is a report, for the secretariat to acknowledge.
    assert "Sent by note verbale." in body and "action-status-reported" in body
    assert 'action="/groups/e-government/actions/' in body
    assert "/report" not in body  # reported: nothing more to report
    assert _kz_action().status == ActionStatus.REPORTED


def test_action_status_without_javascript_redirects(demo, client):
    item = _kz_action()
    url = f"/groups/e-government/actions/{item.id}"
    client.login("head.kz@kz.example.org")
    client.get(url)
    response = _post(client, f"{url}/update", {"status": "done", "comment": "Sent."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    assert _kz_action().status == ActionStatus.REPORTED  # a delegation's done is a report


def test_action_bad_status_with_htmx_shows_the_error_and_changes_nothing(demo, client):
    item = _kz_action()
    url = f"/groups/e-government/actions/{item.id}"
    client.login("head.kz@kz.example.org")
    client.get(url)
    response = _post(client, f"{url}/update", {"status": "teleported"}, HX)
    assert response.status_code in (409, 422)
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="action-progress"' in body
    assert 'class="error"' in body or 'class="form-errors"' in body
    assert _kz_action().status == ActionStatus.IN_PROGRESS


# Minutes positions ---------------------------------------------------------------------
def _egov_minutes() -> tuple[int, int]:
    row = db.session.execute(
        select(Meeting.id, Minutes.id)
        .join(Minutes, Minutes.meeting_id == Meeting.id)
        .where(Meeting.title == "Meeting of the Sub-Working Group on E-Government")
    ).one()
    return row[0], row[1]


def _positions() -> int:
    db.session.rollback()
    return len(db.session.scalars(select(MinutesPosition.id)).all())


def test_position_with_htmx_returns_the_standing_fragment(demo, client):
    meeting_id, _minutes_id = _egov_minutes()
    before = _positions()
    client.login("head.kz@kz.example.org")
    client.get(f"/meetings/{meeting_id}/minutes")
    response = _post(
        client,
        f"/meetings/{meeting_id}/minutes/positions",
        {"version": "1", "position": "reservation", "reservation_text": "Paragraph 2."},
        HX,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="minutes-standing"')
    assert "Paragraph 2." in body and "position-reservation" in body
    assert _positions() == before + 1


def test_position_without_javascript_redirects(demo, client):
    meeting_id, _minutes_id = _egov_minutes()
    client.login("head.kz@kz.example.org")
    client.get(f"/meetings/{meeting_id}/minutes")
    before = _positions()
    response = _post(
        client, f"/meetings/{meeting_id}/minutes/positions", {"version": "1", "position": "agree"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}/minutes")
    assert _positions() == before + 1


def test_reservation_without_text_with_htmx_is_refused(demo, client):
    meeting_id, _minutes_id = _egov_minutes()
    client.login("head.kz@kz.example.org")
    client.get(f"/meetings/{meeting_id}/minutes")
    before = _positions()
    response = _post(
        client,
        f"/meetings/{meeting_id}/minutes/positions",
        {"version": "1", "position": "reservation"},
        HX,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="minutes-standing"' in body and 'class="error"' in body
    assert _positions() == before


# Every page: strict CSP, no inline script or style, labels, button names ------------
PAGES = {
    "coordinator@secretariat.example.org": [
        "/",
        "/groups",
        "/groups/e-government",
        "/groups/e-government/roster",
        "/groups/e-government/meetings",
        "/groups/e-government/minutes",
        "/groups/e-government/documents",
        "/groups/e-government/actions",
        "/actions/mine",
        "/actions/council",
        "/account",
        "{meeting}",
        "{minutes}",
        "{action}",
        "/groups/e-government/actions/new",
        "/groups/e-government/meetings/new",
        "{meeting}/edit",
        "{meeting}/agenda/new",
        "{meeting}/attendance",
        "/groups/e-government/documents/upload",
        "/groups/e-government/documents/deleted",
        "/search?kind=document&q=paper",
        "/no/such/page",
    ],
    "head.kz@kz.example.org": ["/", "{minutes}", "{action}", "/groups/e-government/documents"],
    "admin@secretariat.example.org": ["/", "/admin/", "/admin/users", "/admin/audit"],
    None: ["/login", "/password/forgot"],
}


class PageAudit(HTMLParser):
    """What a strict CSP and a screen reader would object to in one page."""

    FIELDS = {"input", "select", "textarea"}

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.label_for: set[str] = set()
        self.fields: list[tuple[str, dict]] = []
        self.label_depth = 0
        self.button: list | None = None
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in a:
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name} on <{tag}>")
        if "style" in a:
            self.problems.append(f"inline style on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if not a.get("src"):
                self.problems.append("inline <script>")
            elif "//" in a["src"].split("?")[0] and not a["src"].startswith("/"):
                self.problems.append(f"script from elsewhere: {a['src']}")
        if tag == "link" and a.get("rel") == "stylesheet" and not a.get("href", "").startswith("/"):
            self.problems.append(f"stylesheet from elsewhere: {a.get('href')}")
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in self.FIELDS and a.get("type") not in ("hidden", "submit"):
            self.fields.append((tag, {**a, "_wrapped": self.label_depth > 0}))
        if tag == "button":
            self.button = [a.get("aria-label") or ""]

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if tag == "button" and self.button is not None:
            if not "".join(self.button).strip():
                self.problems.append("a button without a name")
            self.button = None

    def handle_data(self, data):
        if self.button is not None:
            self.button.append(data)

    def check(self) -> list[str]:
        for tag, a in self.fields:
            named = a["_wrapped"] or a.get("aria-label") or a.get("aria-labelledby")
            if not named and a.get("id") not in self.label_for:
                self.problems.append(f"<{tag} name={a.get('name')!r}> without a label")
        return self.problems


def _urls(demo_ids) -> dict:
    return {
        "meeting": f"/meetings/{demo_ids['meeting']}",
        "minutes": f"/meetings/{demo_ids['minutes']}/minutes",
        "action": f"/groups/e-government/actions/{demo_ids['action']}",
    }


@pytest.fixture
def demo_ids(demo):
    return {
        "meeting": _egov_meeting().id,
        "minutes": _egov_minutes()[0],
        "action": _kz_action().id,
    }


@pytest.mark.parametrize("who", list(PAGES), ids=lambda w: w or "anonymous")
def test_every_page_has_a_strict_csp_labels_and_named_buttons(demo_ids, make_client, who):
    client = make_client()
    if who:
        client.login(who)
    named = _urls(demo_ids)
    for path in PAGES[who]:
        url = path.format(**named)
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        audit = PageAudit()
        audit.feed(response.get_data(as_text=True))
        assert audit.check() == [], url


def test_htmx_is_vendored_with_its_licence_and_configured_for_the_csp(client, ctx):
    page = client.get("/login").get_data(as_text=True)
    assert '<script src="/static/js/htmx.min.js" defer></script>' in page
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
    assert '"includeIndicatorStyles":false' in config and '"allowEval":false' in config
    script = client.get("/static/js/htmx.min.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    assert text.startswith("/*! htmx 2.") and "0BSD" in text.splitlines()[0]
    assert "Zero-Clause BSD" in (STATIC / "js" / "htmx.LICENSE.txt").read_text()


def test_logged_in_pages_send_the_csrf_token_to_htmx(demo, client):
    client.login("head.kz@kz.example.org")
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert f'data-hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page
    # ...and a request without it is refused, htmx or not.
    item = _kz_action()
    response = client.http.post(
        f"/groups/e-government/actions/{item.id}/update", data={"status": "done"}, headers=HX
    )
    assert response.status_code == 400
    assert _kz_action().status == ActionStatus.IN_PROGRESS


# Colours -------------------------------------------------------------------------------
def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_meet_wcag_aa():
    css = (STATIC / "css" / "konsey.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [  # (text, background) as the stylesheet uses them
        ("ink", "bg"),
        ("ink", "panel"),
        ("muted", "bg"),
        ("muted", "panel"),
        ("brand", "bg"),
        ("brand", "panel"),
        ("brand-ink", "brand"),
        ("danger", "bg"),
        ("ok", "bg"),
    ]
    for text, background in pairs:
        ratio = contrast(colours[text], colours[background])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"
    assert contrast(colours["danger"], "#fdecec") >= 4.5  # error boxes
    assert contrast(colours["ink"], "#fff8e5") >= 4.5  # notices
    # The focus ring (non-text, 3:1) shows on white pages and on the blue header.
    assert contrast(colours["focus"], colours["brand"]) >= 3
    assert contrast(colours["ink"], colours["bg"]) >= 3


def test_contrast_check_can_fail():
    assert contrast("#777777", "#ffffff") < 4.5


# The language switch ---------------------------------------------------------------
def test_logged_in_user_switches_language_and_it_is_saved(demo, client):
    client.login("head.kz@kz.example.org")  # Russian in the demo
    client.get("/groups")
    response = client.post("/language", {"lang": "tr", "next": "/groups/e-government"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/groups/e-government")
    user = _one(select(User).where(User.email == "head.kz@kz.example.org"))
    assert user.locale == "tr"
    event = _one(
        select(AuditEvent)
        .where(AuditEvent.action == "user.locale", AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.id.desc())
    )
    assert event is not None and event.details == {"old": "ru", "new": "tr"}
    assert '<html lang="tr">' in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_unknown_language_and_foreign_redirects(demo, client):
    client.login("head.kz@kz.example.org")
    client.get("/")
    response = client.post("/language", {"lang": "xx"})
    assert response.status_code == 400
    assert _one(select(User.locale).where(User.email == "head.kz@kz.example.org")) == "ru"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post("/language", {"lang": "en", "next": target})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"], target


def test_visitor_language_switch_still_lives_in_the_session(client, ctx):
    client.get("/login")
    response = client.post("/language", {"lang": "ru"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert '<html lang="ru">' in client.get("/login").get_data(as_text=True)


def test_every_page_offers_the_language_switch_with_a_label(demo, client):
    client.login("observer.hu@hu.example.org")
    page = client.get("/").get_data(as_text=True)
    assert '<label for="lang-select"' in page and 'id="lang-select"' in page
    assert 'action="/language"' in page


def test_page_audit_finds_what_it_looks_for():
    audit = PageAudit()
    audit.feed(
        '<script>alert(1)</script><p style="color:red" onclick="x()">x</p>'
        '<input name="q"><label for="a">A</label><input id="a" name="a">'
        '<label>B <select name="b"></select></label><button type="submit"> </button>'
    )
    problems = audit.check()
    assert "inline <script>" in problems
    assert "inline style on <p>" in problems and "inline event handler onclick on <p>" in problems
    assert "<input name='q'> without a label" in problems
    assert "a button without a name" in problems
    assert len(problems) == 5  # the labelled input and select pass


# The group space --------------------------------------------------------------------
def test_group_home_has_the_sections_the_next_agenda_and_the_matrix(demo, client):
    client.login("head.kz@kz.example.org")
    html = client.get("/groups/e-government").get_data(as_text=True)
    nav = re.search(r'<nav class="group-nav".*?</nav>', html, flags=re.DOTALL).group(0)
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs == [
        "/groups/e-government",
        "/groups/e-government/meetings",
        "/groups/e-government/minutes",
        "/groups/e-government/documents",
        "/groups/e-government/actions",
        "/groups/e-government/roster",
    ]
    assert nav.count("aria-current") == 1
    assert re.search(r'href="/groups/e-government" aria-current="page"', nav)
    # The next meeting with its agenda, and the member-state matrix with codes.
    assert "2nd Meeting of the Sub-Working Group on E-Government" in html
    assert "Interoperability of e-government services" in html
    assert "Digital signatures across borders" in html
    matrix = re.search(r'<section aria-labelledby="action-matrix-h".*?</section>', html, re.S)
    for code in ("AZ", "KZ", "KG", "TR"):
        assert f'<span class="state-code">{code}</span>' in matrix.group(0)


def test_dates_follow_the_users_language(demo, make_client):
    from babel.dates import format_date

    from konsey.timefmt import local

    meeting = _egov_meeting()
    day = local(meeting.starts_at, meeting.timezone).date()
    for email, locale in (("head.kz@kz.example.org", "ru"), ("observer.hu@hu.example.org", "en")):
        client = make_client()
        client.login(email)
        html = client.get("/").get_data(as_text=True)
        assert format_date(day, "medium", locale=locale) in html, (email, locale)
    assert format_date(day, "medium", locale="ru") != format_date(day, "medium", locale="en")


def test_htmx_request_after_the_session_ended_sends_the_page_to_login(demo, client):
    """Not the login form swapped into the agenda: the whole page goes to login."""
    meeting = _egov_meeting()
    item_id = _one(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id))
    before = _agenda_titles(meeting.id)
    client.login("coordinator@secretariat.example.org")
    client.get(f"/meetings/{meeting.id}")
    client.logout()
    client.get("/login")  # the browser still holds a form token, not a login
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{item_id}/move", {"direction": "up"}, headers=HX
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert response.get_data() == b""
    assert _agenda_titles(meeting.id) == before


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "2.5 MB"), ("tr", "2,5 MB"), ("ru", "2,5 МБ")],
)
def test_file_sizes_follow_the_users_language(app, locale, expected):
    from flask_babel import force_locale

    from konsey.documents.services import human_size

    with app.test_request_context(), force_locale(locale):
        assert human_size(int(2.5 * 1024 * 1024)) == expected
        assert human_size(512).endswith(("bytes", "bayt", "байт"))
