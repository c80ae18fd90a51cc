"""Markup rules of valid HTML that the pages once broke (the Nu checker in
tests/e2e/test_html_validity.py checks everything; these run without Java):
no id twice on a page (every form's CSRF input has none), htmx attributes in
their valid ``data-hx-*`` form, ``<time datetime>`` without microseconds, and
a required select that starts with an empty placeholder option."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select

from konsey import timefmt
from konsey.extensions import db
from konsey.models import ActionItem, Document, Meeting, User

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# HTML's valid date string, or global date and time string as timefmt.machine writes it.
MACHINE_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?")


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.htmx: list[str] = []
        self.times: list[str] = []
        self.selects: list[tuple[dict, list[str]]] = []  # (attributes, option values)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids[attributes["id"]] += 1
        self.htmx += [name for name, _ in attrs if name.startswith("hx-")]
        if tag == "time" and "datetime" in attributes:
            self.times.append(attributes["datetime"])
        if tag == "select":
            self.selects.append((attributes, []))
        if tag == "option" and self.selects:
            self.selects[-1][1].append(attributes.get("value"))


def problems(path: str, html: str) -> list[str]:
    parsed = Markup()
    parsed.feed(html)
    found = [f"{path}: id {i!r} used {n} times" for i, n in parsed.ids.items() if n > 1]
    found += [f"{path}: attribute {name} (use data-{name})" for name in parsed.htmx]
    found += [
        f"{path}: <time datetime={t!r}>" for t in parsed.times if not MACHINE_TIME_RE.fullmatch(t)
    ]
    for attributes, values in parsed.selects:
        if "required" in attributes and "multiple" not in attributes and values[:1] != [""]:
            found.append(f"{path}: required <select name={attributes.get('name')!r}> {values[:1]}")
    return found


def test_the_main_pages_follow_these_rules(demo, client):
    client.login("coordinator@secretariat.example.org")
    document = db.session.scalar(select(Document).order_by(Document.id))
    action = db.session.scalar(select(ActionItem).order_by(ActionItem.id))
    meeting = db.session.scalar(select(Meeting).order_by(Meeting.id))
    paths = [
        "/",
        "/account",
        "/account/sessions",
        "/groups/cyber-security/roster",
        f"/groups/{document.group.slug}/documents/{document.id}",
        f"/groups/{action.group.slug}/actions/{action.id}",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/minutes",
    ]
    found = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        found += problems(path, html)
        assert 'name="csrf_token"' in html, path  # the forms still carry their token
    assert not found, "\n".join(found)


def test_the_check_sees_each_problem():
    html = (
        '<form><input type="hidden" id="csrf_token" name="csrf_token"></form>'
        '<form><input type="hidden" id="csrf_token" name="csrf_token"></form>'
        '<div hx-post="/x"></div><time datetime="2026-12-02T09:00:00.123456+00:00"></time>'
        '<select name="role" required><option value="coordinator">C</option></select>'
    )
    assert len(problems("/", html)) == 4


def test_no_template_writes_a_bare_hx_attribute():
    bare = re.compile(r"(?<![\w-])hx-[a-z-]+=")
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line)
    ]
    assert not offenders, offenders


def test_machine_times_have_whole_seconds_in_utc():
    instant = datetime(2017, 11, 9, 10, 0, 5, 123456, tzinfo=UTC)
    assert timefmt.machine(instant) == "2017-11-09T10:00:05Z"
    assert timefmt.machine(instant.astimezone(timefmt.zone("Asia/Almaty"))) == (
        "2017-11-09T10:00:05Z"
    )
    assert timefmt.machine(date(2017, 11, 9)) == "2017-11-09"
    assert timefmt.machine(None) == ""


def test_an_empty_required_choice_is_refused_and_changes_nothing(demo, client):
    client.login("head.kz@kz.example.org")
    client.get("/account")
    before = db.session.scalar(select(User.locale).where(User.email == "head.kz@kz.example.org"))
    response = client.post(
        "/account/profile",
        {"name": "Head KZ", "locale": "", "timezone": "Asia/Almaty", "digest": "off"},
    )
    assert 400 <= response.status_code < 500
    db.session.rollback()
    after = db.session.scalar(select(User.locale).where(User.email == "head.kz@kz.example.org"))
    assert after == before
