"""Language versions with translation status: per official language original,
requested (with a due date), in translation, available (a file was uploaded —
always wins), not planned; set by coordinators on the page and in the API;
shown on the document page and in lists, the reader's own language first."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from konsey import audit
from konsey.config import ConfigError, from_environment
from konsey.documents import services, translations
from konsey.extensions import db
from konsey.models import AuditEvent, Document, DocumentTranslation, TranslationStatus
from tests.integration.conftest import login_as
from tests.integration.meetings_data import page_text

TOMORROW = date.today() + timedelta(days=2)


@pytest.fixture(autouse=True)
def _official(app):
    saved = app.config["OFFICIAL_LANGUAGES"]
    app.config["OFFICIAL_LANGUAGES"] = ("en", "ru", "tr")
    yield
    app.config["OFFICIAL_LANGUAGES"] = saved


def _paper(world, title="Cyber strategy", language="en", visibility="group", **kw):
    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(title.encode() + b" text"), "paper.txt")],
        title=title,
        kind="working_paper",
        language=language,
        visibility=visibility,
        **kw,
    )
    return document.id


def _add_file(world, document_id, language, content=b"translated text"):
    document = db.session.get(Document, document_id)
    services.add_version(
        audit.Actor(user=world["users"]["head"]),
        document,
        services.Upload(io.BytesIO(content), f"paper-{language}.txt"),
        language=language,
    )


def _states(document_id, reader=None):
    db.session.expire_all()
    document = db.session.get(Document, document_id)
    return {s.language: s for s in translations.states(document, reader)}


def _set(client, slug, document_id, **form):
    return client.post(f"/groups/{slug}/documents/{document_id}/translations", form)


def _rows() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(DocumentTranslation)),
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "document.translation")
        ),
    )


# The rule ----------------------------------------------------------------------------
def test_first_upload_sets_the_original_language_and_every_official_language_has_a_status(
    world,
):
    doc_id = _paper(world, language="ru")
    assert db.session.get(Document, doc_id).original_language == "ru"
    states = _states(doc_id)
    assert list(states) == ["en", "ru", "tr"]
    assert states["ru"].status == TranslationStatus.ORIGINAL and states["ru"].readable
    assert states["en"].status is None and not states["en"].readable
    assert states["en"].label == "Not available"


def test_the_readers_own_language_comes_first(world):
    doc_id = _paper(world)
    assert list(_states(doc_id, reader="tr")) == ["tr", "en", "ru"]


def test_a_coordinator_requests_a_translation_with_a_due_date_and_the_page_shows_it(client, world):
    doc_id = _paper(world)
    login_as(client, world, "coordinator")
    response = _set(client, "wg", doc_id, language="ru", status="requested", due_on=str(TOMORROW))
    assert response.status_code == 302
    assert _states(doc_id)["ru"].status == TranslationStatus.REQUESTED
    assert _states(doc_id)["ru"].due_on == TOMORROW
    text = page_text(client.get(f"/groups/wg/documents/{doc_id}"))
    assert "Translation requested, due" in text
    [event] = [
        e for e in db.session.scalars(select(AuditEvent)) if e.action == "document.translation"
    ]
    assert event.details["language"] == "ru" and event.details["status"] == "requested"


def test_in_translation_keeps_the_requested_date_and_not_planned_drops_it(client, world):
    doc_id = _paper(world)
    login_as(client, world, "coordinator")
    _set(client, "wg", doc_id, language="tr", status="requested", due_on=str(TOMORROW))
    assert _set(client, "wg", doc_id, language="tr", status="in_translation").status_code == 302
    assert (_states(doc_id)["tr"].status, _states(doc_id)["tr"].due_on) == (
        TranslationStatus.IN_TRANSLATION,
        TOMORROW,
    )
    assert _set(client, "wg", doc_id, language="tr", status="not_planned").status_code == 302
    assert (_states(doc_id)["tr"].status, _states(doc_id)["tr"].due_on) == (
        TranslationStatus.NOT_PLANNED,
        None,
    )
    text = page_text(client.get(f"/groups/wg/documents/{doc_id}"))
    assert "Not planned" in text


def test_uploading_a_file_in_a_language_makes_it_available_whatever_was_said(client, world):
    doc_id = _paper(world)
    login_as(client, world, "coordinator")
    _set(client, "wg", doc_id, language="ru", status="requested", due_on=str(TOMORROW))
    _add_file(world, doc_id, "ru")
    state = _states(doc_id)["ru"]
    assert state.status == TranslationStatus.AVAILABLE and state.readable
    page = client.get(f"/groups/wg/documents/{doc_id}").get_data(as_text=True)
    # A link to the newest Russian file, and the request is no longer shown.
    assert re.search(rf'href="/groups/wg/documents/{doc_id}/versions/2/file" hreflang="ru"', page)
    assert "Translation requested, due" not in page_text_of(page)


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("form", "status", "reason"),
    [
        ({"language": "ru", "status": "requested", "due_on": ""}, 422, "Give the date"),
        (
            {"language": "ru", "status": "requested", "due_on": str(date.today() - timedelta(1))},
            422,
            "is in the past",
        ),
        ({"language": "ru", "status": "requested", "due_on": "31/12/2026"}, 422, "YYYY-MM-DD"),
        ({"language": "ru", "status": "available", "due_on": ""}, 422, "follow from the uploaded"),
        ({"language": "ru", "status": "done", "due_on": ""}, 422, "Choose a status"),
        ({"language": "de", "status": "not_planned", "due_on": ""}, 422, "not an official"),
        (
            {"language": "ru", "status": "not_planned", "due_on": str(TOMORROW)},
            422,
            "has no due date",
        ),
        ({"language": "en", "status": "not_planned", "due_on": ""}, 409, "original language"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_changes_nothing(
    client, world, form, status, reason
):
    doc_id = _paper(world)
    login_as(client, world, "coordinator")
    before = _rows()
    response = _set(client, "wg", doc_id, **form)
    assert response.status_code == status
    assert reason in page_text(response)
    assert _rows() == before


def test_a_language_with_a_file_cannot_be_set(client, world):
    doc_id = _paper(world)
    _add_file(world, doc_id, "tr")
    login_as(client, world, "coordinator")
    response = _set(client, "wg", doc_id, language="tr", status="not_planned", due_on="")
    assert response.status_code == 409
    assert "already uploaded" in page_text(response)


@pytest.mark.parametrize("who", ["delegate", "head", "observer", "outsider"])
def test_only_coordinators_set_statuses(client, world, who):
    doc_id = _paper(world, visibility="observers")
    login_as(client, world, who)
    before = _rows()
    response = _set(client, "wg", doc_id, language="ru", status="not_planned", due_on="")
    assert response.status_code == 403
    assert _rows() == before
    page = client.get(f"/groups/wg/documents/{doc_id}")
    if page.status_code == 200:
        assert "Set a translation status" not in page_text(page)


def test_the_library_shows_each_language_and_its_status(client, world):
    doc_id = _paper(world)
    login_as(client, world, "coordinator")
    _set(client, "wg", doc_id, language="ru", status="requested", due_on=str(TOMORROW))
    _set(client, "wg", doc_id, language="tr", status="in_translation")
    login_as(client, world, "delegate")
    text = page_text(client.get("/groups/wg/documents"))
    assert "RU : Translation requested, due" in text or "RU: Translation requested, due" in text
    assert "In translation" in text


def test_the_due_date_is_the_coordinators_today(client, world, app):
    """A coordinator far east may ask for "today" when it is still yesterday in UTC."""
    doc_id = _paper(world)
    coordinator = world["users"]["coordinator"]
    coordinator.timezone = "Pacific/Kiritimati"  # UTC+14
    db.session.commit()
    from konsey.models.base import utcnow
    from konsey.timefmt import local

    their_today = local(utcnow(), "Pacific/Kiritimati").date()
    login_as(client, world, "coordinator")
    response = _set(
        client, "wg", doc_id, language="ru", status="requested", due_on=str(their_today)
    )
    assert response.status_code == 302


# API ---------------------------------------------------------------------------------
def _bearer(world, who):
    return {"Authorization": f"Bearer {world['tokens'][who][1]}"}


def test_the_api_gives_original_language_and_translations(client, world):
    doc_id = _paper(world)
    _add_file(world, doc_id, "tr")
    body = client.http.get(f"/api/v1/documents/{doc_id}", headers=_bearer(world, "delegate")).json
    assert body["original_language"] == "en"
    by_language = {t["language"]: t for t in body["translations"]}
    assert by_language["en"]["status"] == "original"
    assert by_language["tr"]["status"] == "available"
    assert by_language["tr"]["url"] == f"/api/v1/documents/{doc_id}/versions/2/file"
    assert by_language["ru"] == {
        "language": "ru",
        "status": None,
        "due_on": None,
        "official": True,
        "version": None,
        "url": None,
    }


def test_a_coordinator_sets_a_status_through_the_api(client, world):
    doc_id = _paper(world)
    url = f"/api/v1/documents/{doc_id}/translations/ru"
    response = client.http.put(
        url,
        data=json.dumps({"status": "requested", "due_on": str(TOMORROW)}),
        content_type="application/json",
        headers=_bearer(world, "coordinator"),
    )
    assert response.status_code == 200, response.json
    [ru] = [t for t in response.json["translations"] if t["language"] == "ru"]
    assert ru["status"] == "requested" and ru["due_on"] == str(TOMORROW)


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("delegate", {"status": "not_planned"}, 403),
        ("coordinator", {"status": "requested"}, 422),
        ("coordinator", {"status": "requested", "due_on": "2001-01-01"}, 422),
        ("coordinator", {"due_on": str(TOMORROW)}, 422),
        ("coordinator", {"status": "original"}, 422),
    ],
)
def test_the_api_refuses_bad_writes_with_the_reason(client, world, who, body, status):
    doc_id = _paper(world)
    before = _rows()
    response = client.http.put(
        f"/api/v1/documents/{doc_id}/translations/ru",
        data=json.dumps(body),
        content_type="application/json",
        headers=_bearer(world, who),
    )
    assert response.status_code == status
    if status == 422:
        assert response.json["error"]["message"]
    assert _rows() == before


def test_an_unknown_language_in_the_api_path_is_refused(client, world):
    doc_id = _paper(world)
    response = client.http.put(
        f"/api/v1/documents/{doc_id}/translations/xx",
        data=json.dumps({"status": "not_planned"}),
        content_type="application/json",
        headers=_bearer(world, "coordinator"),
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "language"
    assert "not an official language" in response.json["error"]["message"]


# Configuration -----------------------------------------------------------------------
def test_official_languages_default_to_the_document_languages(monkeypatch, tmp_path):
    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("KONSEY_OFFICIAL_LANGUAGES", raising=False)
    monkeypatch.setenv("KONSEY_DOCUMENT_LANGUAGES", "en,ru,tr,kk")
    assert from_environment()["OFFICIAL_LANGUAGES"] == ("en", "ru", "tr", "kk")
    monkeypatch.setenv("KONSEY_OFFICIAL_LANGUAGES", "RU, en")
    assert from_environment()["OFFICIAL_LANGUAGES"] == ("ru", "en")


def test_official_languages_outside_the_document_languages_are_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KONSEY_DOCUMENT_LANGUAGES", "en,ru")
    monkeypatch.setenv("KONSEY_OFFICIAL_LANGUAGES", "en,ru,tr")
    with pytest.raises(ConfigError, match="KONSEY_OFFICIAL_LANGUAGES names tr"):
        from_environment()


def test_the_document_page_with_both_forms_has_no_id_twice(client, world):
    from tests.integration.test_html_markup import problems

    doc_id = _paper(world)
    login_as(client, world, "coordinator")
    url = f"/groups/wg/documents/{doc_id}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="translation-language"' in html and 'id="language"' in html
    assert problems(url, html) == []
