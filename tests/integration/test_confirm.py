"""Irreversible steps ask first, and a confirmation cannot be skipped or forged
(konsey/confirm.py). The document purge stands for every such step; the
minutes, agenda and meeting steps have their own tests beside them."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from konsey import audit
from konsey.documents import services
from konsey.extensions import db
from konsey.models import Document
from tests import factories as f
from tests.integration.conftest import login_as

TOKEN_RE = re.compile(r'name="confirm" value="([^"]+)"')


def _deleted(world, title):
    [document] = services.create_documents(
        audit.Actor(user=world["users"]["delegate"]),
        world["group"],
        [services.Upload(io.BytesIO(title.encode()), "paper.txt")],
        title=title,
        kind="report",
        language="en",
        visibility="group",
    )
    services.soft_delete(audit.Actor(user=world["users"]["coordinator"]), document)
    return document


def _purged(document) -> bool:
    db.session.expire_all()
    return db.session.get(Document, document.id).purged_at is not None


def test_skipping_the_confirmation_shows_it_and_changes_nothing(client, world):
    document = _deleted(world, "Old paper")
    login_as(client, world, "admin")
    asked = client.post(f"/groups/wg/documents/{document.id}/purge")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Purge “Old paper” for good?" in page
    assert "cannot be brought back" in page
    assert 'href="/groups/wg/documents/deleted"' in page  # the way back
    assert not _purged(document)


def test_a_forged_or_misdirected_confirmation_is_refused(client, world, make_client):
    first = _deleted(world, "First paper")
    second = _deleted(world, "Second paper")
    login_as(client, world, "admin")
    url = f"/groups/wg/documents/{first.id}/purge"
    forged = client.post(url, {"confirm": "yes"})
    assert forged.status_code == 400
    assert "not valid or has expired" in forged.get_data(as_text=True)
    # A real token, made for the other document, does not confirm this one.
    other = TOKEN_RE.search(
        client.post(f"/groups/wg/documents/{second.id}/purge").get_data(as_text=True)
    ).group(1)
    assert client.post(url, {"confirm": other}).status_code == 400
    # Nor does another person's token for this very document.
    f.make_user("second-admin@secretariat.example.org", is_admin=True)
    db.session.commit()
    other_admin = make_client()
    other_admin.login("second-admin@secretariat.example.org")
    theirs = TOKEN_RE.search(other_admin.post(url).get_data(as_text=True)).group(1)
    assert client.post(url, {"confirm": theirs}).status_code == 400
    assert not _purged(first) and not _purged(second)


def test_a_confirmation_expires(client, world):
    document = _deleted(world, "Stale paper")
    login_as(client, world, "admin")
    url = f"/groups/wg/documents/{document.id}/purge"
    with freeze_time(datetime.now(UTC)) as clock:
        token = TOKEN_RE.search(client.post(url).get_data(as_text=True)).group(1)
        clock.tick(timedelta(minutes=16))
        refused = client.post(url, {"confirm": token})
        assert refused.status_code == 400, refused.status_code
    assert not _purged(document)


def test_confirming_does_it(client, world):
    document = _deleted(world, "Done paper")
    login_as(client, world, "admin")
    response = client.post_confirmed(f"/groups/wg/documents/{document.id}/purge")
    assert response.status_code == 302
    assert _purged(document)


def test_the_form_carries_the_question_for_the_dialog(client, world):
    document = _deleted(world, "Dialog paper")
    login_as(client, world, "admin")
    page = client.get("/groups/wg/documents/deleted").get_data(as_text=True)
    form = re.search(rf'<form[^>]*/documents/{document.id}/purge"[^>]*>', page).group(0)
    assert 'data-confirm="Purge “Dialog paper” for good?' in form
    assert "data-confirm-token=" in form
