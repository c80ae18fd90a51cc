"""Refused access is on record (issue 13, item 9; OWASP ASVS 7.2.2): every 403
writes a ``konsey.security`` log line and an ``access.denied`` audit event
naming the user, the route and the object, once per user and route per window,
and admins (only admins) filter them on the audit log page."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import select

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.models import AuditEvent
from konsey.security_log import REDIS_PREFIX
from tests.conftest import IN_CI, REDIS_URL
from tests.integration.conftest import login_as

REDIS_TEST_URL = "redis://127.0.0.1:6379/4"


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def store(request, app, monkeypatch):
    """The window's store: the database (embedded default) or Redis."""
    if request.param == "redis":
        if REDIS_URL is None and not IN_CI:
            pytest.skip("Redis is not available")
        client = redis.Redis.from_url(REDIS_TEST_URL)
        monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
        yield client
        keys = list(client.scan_iter(match=REDIS_PREFIX + "*"))
        if keys:
            client.delete(*keys)
        return
    yield None


def refusals(**where) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == "access.denied")
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_an_outsider_opening_a_group_page_is_on_record(store, client, world, caplog):
    outsider = world["users"]["outsider"]
    login_as(client, world, "outsider")
    with caplog.at_level(logging.WARNING, logger="konsey.security"):
        assert client.get("/groups/wg/roster").status_code == 403
    [event] = refusals()
    assert event.actor_id == outsider.id
    assert event.ip == "127.0.0.1"
    assert event.details["method"] == "GET"
    assert event.details["path"] == "/groups/wg/roster"
    assert event.details["rule"] == "/groups/<slug>/roster"
    assert event.details["params"] == {"slug": "wg"}
    assert event.details["via"] == "session"
    assert (event.object_type, event.object_id) == ("working_group", str(world["group"].id))
    [line] = [r for r in caplog.records if r.name == "konsey.security"]
    assert outsider.email in line.getMessage() and "/groups/wg/roster" in line.getMessage()
    assert line.security["user_id"] == outsider.id
    assert line.security["route"] == event.details["route"]


def test_an_api_refusal_with_a_token_is_on_record(store, app, world):
    outsider = world["users"]["outsider"]
    _token, secret = create_token(audit.SYSTEM, outsider, "script")
    db.session.commit()
    response = app.test_client().get(
        "/api/v1/groups/wg", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403
    [event] = refusals()
    assert event.actor_id == outsider.id and event.details["via"] == "token"
    assert event.details["path"] == "/api/v1/groups/wg"


def test_a_read_only_token_writing_is_on_record(store, app, world):
    delegate = world["users"]["delegate"]
    _token, secret = create_token(audit.SYSTEM, delegate, "reader", scope="read-only")
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/groups/wg/actions", json={}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403
    [event] = refusals(actor_id=delegate.id)
    assert event.details["method"] == "POST" and event.details["via"] == "token"


def test_ten_refusals_in_a_row_are_one_record_then_a_count(store, app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESS_REFUSAL_LOG_WINDOW", 2)
    login_as(client, world, "outsider")
    for _ in range(10):
        assert client.get("/groups/wg").status_code == 403
    assert len(refusals()) == 1
    # Another route is another record.
    assert client.get("/groups/wg/roster").status_code == 403
    assert len(refusals()) == 2
    time.sleep(2.2)
    assert client.get("/groups/wg").status_code == 403
    events = refusals()
    assert len(events) == 3
    if store is not None:  # Redis counts the refusals it left out
        assert events[-1].details["refusals_not_recorded_before"] == 9


def test_parallel_refusals_are_one_record(store, app, world):
    if store is None:
        pytest.skip("the embedded default keeps its window in the database, without a lock")
    _token, secret = create_token(audit.SYSTEM, world["users"]["outsider"], "script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def refused(_):
        return app.test_client().get("/api/v1/groups/wg", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(refused, range(16))) == {403}
    assert len(refusals()) == 1


def test_other_answers_are_not_refusals(client, world):
    assert client.get("/groups/wg").status_code == 302  # to the login page
    login_as(client, world, "delegate")
    assert client.get("/groups/wg").status_code == 200
    assert client.get("/groups/nothing-here").status_code == 404
    assert refusals() == []


def test_admins_filter_refusals_and_nobody_else_sees_them(client, make_client, world):
    login_as(client, world, "outsider")
    assert client.get("/groups/wg/roster").status_code == 403
    # The outsider may not read the log either (and that, too, is on record).
    assert client.get("/admin/audit?action=access.denied").status_code == 403
    assert {e.details["path"] for e in refusals()} == {"/groups/wg/roster", "/admin/audit"}
    admin = make_client()
    login_as(admin, world, "admin")
    page = admin.get("/admin/audit").text
    assert "Only refused access" in page
    page = admin.get("/admin/audit?action=access.denied&actor=outsider").text
    assert page.count("<code>access.denied</code>") == 2
    assert "outsider@kz.example.org" in page and "/groups/wg/roster" in page
    assert "<code>user.login</code>" not in page
    page = admin.get("/admin/audit?action=access.denied&actor=delegate").text
    assert "<code>access.denied</code>" not in page
