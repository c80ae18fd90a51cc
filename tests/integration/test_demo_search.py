"""The demo, as `make run` loads it, answers a search in Russian with word forms
found across minutes, documents and actions; loading it twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from konsey.extensions import db

DEMO_PASSWORD = "a-demo-password-for-tests"


def test_a_russian_search_of_the_demo_finds_word_forms_everywhere(app, make_client, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", DEMO_PASSWORD)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["konsey", "demo"]).exit_code == 0
    with app.app_context():
        entries = db.session.scalar(sa.text("SELECT count(*) FROM search_index"))
    assert runner.invoke(args=["konsey", "demo"]).exit_code == 0  # idempotent
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM search_index")) == entries

    client = make_client()
    assert client.login("delegate.kz@kz.example.org", password=DEMO_PASSWORD).status_code == 302
    # The nominative; the texts say «кибербезопасности» (genitive).
    answer = client.http.get("/api/v1/search?q=кибербезопасность").get_json()
    kinds = {r["kind"] for r in answer["results"]}
    assert {"minutes", "document", "action", "agenda_item"} <= kinds
    snippets = " ".join(r["snippet_html"] + r["title_html"] for r in answer["results"])
    assert "<mark>кибербезопасности</mark>" in snippets.lower()
    page = client.get("/search?q=кибербезопасность").get_data(as_text=True)
    assert "<mark>" in page
