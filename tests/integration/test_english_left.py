"""Every main page and every kind of email, in each of the seven languages,
has no English left beyond names and data (tests/english_left.py says how
English is found).

The pages are every HTML page of the authorization matrix (so a new page is
checked as soon as it is listed there), seen by an admin and by a head of
delegation, the public pages and the 403, 404 and 400 pages; the emails are
those of a story told through the services (notices of each kind,
reminders, digests, information mails, invitations, resets, password
changes), each rendered for its recipient in every language.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from konsey.extensions import db
from tests import english_left
from tests.catalogs import LANGUAGES
from tests.conftest import Client
from tests.integration import mail_story
from tests.integration.conftest import _world, login_as
from tests.integration.matrix_roles import ALLOW
from tests.integration.test_authorization_matrix import MATRIX, _url

SEVEN = ("en", *LANGUAGES)
# Shown as they were typed or stored: names, titles, texts, stored mail.
DATA_COLUMNS = {
    "member_state": ["name"],
    "working_group": ["name", "mandate"],
    "user_account": ["name"],
    "api_token": ["name"],
    "audit_event": ["object_label"],
    "meeting": ["title", "number", "venue_city", "venue_address"],
    "agenda_item": ["title", "description", "outcome"],
    "meeting_participant": ["name", "title", "organisation"],
    "decision": ["text"],
    "document": ["title", "description"],
    "minutes_version": ["text", "note"],
    "minutes_version_decision": ["text"],
    "minutes_comment": ["text"],
    "minutes_position": ["text"],
    "action_item": ["title", "description"],
    "action_update": ["comment", "reference"],
    "document_version": ["filename", "text"],
    "outbox_message": ["subject", "body_text"],
}
NOT_PAGES = ("/api/", "/healthz", "/static/")
# The pages the issue names: each must have been seen, or the test checks less.
MAIN_PAGES = {
    "home": "/",
    "groups": "/groups",
    "group": "/groups/<slug>",
    "meetings": "/groups/<slug>/meetings",
    "meeting": "/meetings/<int:meeting_id>",
    "agenda item form": "/meetings/<int:meeting_id>/agenda/new",
    "minutes": "/meetings/<int:meeting_id>/minutes",
    "documents": "/groups/<slug>/documents",
    "document": "/groups/<slug>/documents/<int:document_id>",
    "actions": "/groups/<slug>/actions",
    "search": "/search",
    "account": "/account",
    "admin": "/admin/",
    "admin users": "/admin/users",
    "login": "/login",
}


@pytest.fixture(scope="module")
def seven_languages(app, tmp_path_factory):
    """All seven enabled (and the module's own file folder), for the module."""
    saved = app.config["LANGUAGES"], app.config["FILES_PATH"]
    app.config["LANGUAGES"] = SEVEN
    yield SEVEN
    app.config["LANGUAGES"], app.config["FILES_PATH"] = saved


def data_strings():
    values = []
    for table, columns in DATA_COLUMNS.items():
        for column in columns:
            values += db.session.scalars(sa.text(f"SELECT DISTINCT {column} FROM {table}")).all()
    # Each line of a typed text too, as a page shows it in paragraphs.
    return values + [line for v in values if v and "\n" in v for line in v.splitlines()]


def _routes(role: str) -> list[str]:
    return sorted(
        rule
        for (method, rule), expected in MATRIX.items()
        if method == "GET" and expected.get(role) == ALLOW and not rule.startswith(NOT_PAGES)
    )


def _fetch(client, url, lang, **kw):
    response = client.get(url, headers={"Accept-Language": lang}, **kw)
    if response.mimetype != "text/html":
        return None
    return response


@pytest.fixture(scope="module")
def pages(app, seven_languages):
    """(language, who, route) → the page's text, rendered once for the module."""
    from konsey.models import User
    from tests import factories as f

    seen: dict[tuple[str, str, str], str] = {}
    statuses: dict[tuple[str, str], int] = {}
    with app.app_context():
        with f.batch():
            world = _world()
        db.session.commit()
        data = english_left.data_pattern(data_strings())
        params = world["params"]
        viewers = {"admin": Client(app), "head": Client(app), "anonymous": Client(app)}
        for who in ("admin", "head"):
            login_as(viewers[who], world, who)
        user_ids = {who: world["users"][who].id for who in ("admin", "head")}
        for lang in SEVEN:
            for uid in user_ids.values():
                db.session.get(User, uid).locale = lang
            db.session.commit()
            for who, client in viewers.items():
                for rule in _routes(who):
                    url = _url(
                        rule, params, world["tokens"][who if who != "anonymous" else "admin"][0]
                    )
                    response = _fetch(client, url, lang)
                    if response is None:
                        continue
                    statuses[(who, rule)] = response.status_code
                    if response.status_code == 200:
                        seen[(lang, who, rule)] = english_left.without_data(
                            english_left.html_text(response.get_data(as_text=True)), data
                        )
            # The error pages, as a person meets them.
            errors = {
                "403": (viewers["head"], "/admin/"),
                "404": (viewers["admin"], "/groups/no-such-group-zq"),
                "400": (viewers["anonymous"], "/notifications/unsubscribe/damaged-zq"),
            }
            for code, (client, url) in errors.items():
                response = client.get(url, headers={"Accept-Language": lang})
                assert response.status_code == int(code), (url, response.status_code)
                seen[(lang, "error", code)] = english_left.without_data(
                    english_left.html_text(response.get_data(as_text=True)), data
                )
            seen[(lang, "admin", "/search?q")] = english_left.without_data(
                english_left.html_text(
                    viewers["admin"].get("/search?q=Matrix").get_data(as_text=True)
                ),
                data,
            )
    return {"text": seen, "statuses": statuses}


def _report(found: dict[str, list]) -> str:
    lines = []
    for where, fragments in sorted(found.items()):
        for fragment in fragments:
            lines.append(f"{where}: {fragment.text!r} (from {fragment.msgid!r})")
    return f"{len(lines)} English phrases left:\n" + "\n".join(lines[:60])


def test_the_main_pages_are_all_rendered(pages):
    rendered = {rule for (_, who, rule) in pages["text"]}
    missing = {name: rule for name, rule in MAIN_PAGES.items() if rule not in rendered}
    assert missing == {}, f"not rendered (statuses {pages['statuses']})"
    assert {"403", "404", "400"} <= rendered


def test_the_check_finds_english_in_english_pages(pages):
    """The check itself works: in English every page shows catalog phrases."""
    for (lang, who, rule), text in pages["text"].items():
        if lang == "en":
            assert english_left.english_in(text, "tr"), (who, rule, text[:300])


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_on_any_page(pages, language):
    found = {
        f"{who} {rule}": english_left.english_in(text, language)
        for (lang, who, rule), text in pages["text"].items()
        if lang == language
    }
    found = {k: v for k, v in found.items() if v}
    assert not found, _report(found)


@pytest.fixture(scope="module")
def mails(app, seven_languages):
    """(language, kind) → the text of each email of that kind (text part and
    the HTML part's text), from one story rendered in every language."""
    with app.app_context():
        composed = mail_story.tell(SEVEN)
        data = english_left.data_pattern(data_strings() + mail_story.data())
        db.session.rollback()
    texts: dict[tuple[str, str], list[str]] = {}
    for lang, kind, message in composed:
        text = " ¦ ".join(
            [
                english_left.squeeze(message["subject"]),
                english_left.squeeze(message["body_text"]),
                english_left.html_text(message["body_html"]),
            ]
        )
        texts.setdefault((lang, kind), []).append(english_left.without_data(text, data))
    return texts


def test_every_kind_of_email_is_rendered(mails):
    kinds = {kind for (_, kind) in mails}
    assert set(mail_story.KINDS) <= kinds, sorted(set(mail_story.KINDS) - kinds)
    for lang in SEVEN:
        assert {k for (lg, k) in mails if lg == lang} == kinds, lang


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_in_any_email(mails, language):
    found = {}
    for (lang, kind), texts in mails.items():
        if lang != language:
            continue
        left = {f.text: f for text in texts for f in english_left.english_in(text, language)}
        if left:
            found[kind] = list(left.values())
    assert not found, _report(found)
