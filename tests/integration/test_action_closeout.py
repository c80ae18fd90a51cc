"""Close-out of action items (issue 15, item 3): a delegation reports done with
its note verbale and evidence, a coordinator acknowledges or sends it back;
the workflow table; who may not; refused evidence; races."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from konsey.actions import workflow
from konsey.actions.overdue import Clock, is_overdue
from konsey.documents import samples
from konsey.extensions import db
from konsey.models import ActionItem, ActionStatus, ActionUpdate, Document, Visibility
from konsey.notifications import needs
from tests.integration.test_actions import (
    build_council,
    login,
    make_action,
    page_text,
    update,
)


@pytest.fixture
def council(ctx):
    return build_council()


PDF = samples.make_pdf(["Note verbale No. 12-3/456 of 20 November 2017"])
NV = "Note verbale No. 12-3/456 of 20 November 2017"


def _item(c, **kw) -> ActionItem:
    return make_action(c, due=date.today() + timedelta(days=10), **kw)


def _report(client, item, *, file=None, **fields):
    data = {"report-reference": NV, "report-comment": "Sent through diplomatic channels.",
            "report-visibility": "group", "report-language": "en"}  # fmt: skip
    data.update({f"report-{k}": v for k, v in fields.items()})
    if file is not None:
        data["report-file"] = (io.BytesIO(file[1]), file[0])
    return client.post(
        f"/groups/wg/actions/{item.id}/report", data, content_type="multipart/form-data"
    )


def _state(item_id) -> tuple[ActionStatus, int, int]:
    db.session.expire_all()
    item = db.session.get(ActionItem, item_id)
    documents = db.session.scalar(sa.select(sa.func.count(Document.id)))
    return item.status, len(item.updates), documents


# --- the table ---------------------------------------------------------------------
def test_the_workflow_is_one_table_with_who_may_make_each_move():
    assert workflow.MOVES[(ActionStatus.OPEN, ActionStatus.REPORTED)].sides == {workflow.OWNER}
    assert workflow.MOVES[(ActionStatus.REPORTED, ActionStatus.DONE)].name == "acknowledge"
    assert workflow.MOVES[(ActionStatus.REPORTED, ActionStatus.IN_PROGRESS)].name == "send_back"
    assert (ActionStatus.CANCELLED, ActionStatus.REPORTED) not in workflow.MOVES
    assert (ActionStatus.DONE, ActionStatus.REPORTED) not in workflow.MOVES
    # A delegation's "done" is a report; a coordinator's is immediate.
    owner = workflow.decide(ActionStatus.OPEN, ActionStatus.DONE, workflow.OWNER)
    assert owner.new == ActionStatus.REPORTED and owner.reported_instead
    coordinator = workflow.decide(ActionStatus.OPEN, ActionStatus.DONE, workflow.COORDINATOR)
    assert coordinator.new == ActionStatus.DONE
    with pytest.raises(workflow.NotYours):
        workflow.decide(ActionStatus.REPORTED, ActionStatus.DONE, workflow.OWNER)


# --- report with evidence, acknowledge -------------------------------------------------
def test_kazakhstan_reports_with_its_note_verbale_scan_and_the_coordinator_acknowledges(
    council, client
):
    item = _item(council)
    login(client, "del@kz.example.org")
    page = page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert "Report this action done" in page
    response = _report(client, item, file=("nv-12-3-456.pdf", PDF), visibility="council")
    assert response.status_code == 302, page_text(response)[-2000:]
    page = page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert "Reported done: the secretariat will acknowledge it." in page
    assert f"Reference: {NV}" in page
    assert "Evidence: Evidence: Inform the Secretariat" in page
    assert "Report this action done" not in page  # reported: nothing more to report
    db.session.expire_all()
    item = db.session.get(ActionItem, item.id)
    assert item.status == ActionStatus.REPORTED
    update_row = item.updates[-1]
    document = db.session.get(Document, update_row.document_id)
    assert document.group_id == council["wg"].id
    assert document.visibility == Visibility.COUNCIL  # chosen by the reporter
    assert f'href="/groups/wg/documents/{document.id}"' in client.get(
        f"/groups/wg/actions/{item.id}"
    ).get_data(as_text=True)
    assert not is_overdue(item, datetime(2030, 1, 1, tzinfo=UTC))  # waits for the secretariat

    # The coordinators' "Needs you": the report to acknowledge.
    login(client, "coord@sec.example.org")
    home = page_text(client.get("/"))
    assert "Reported done — to acknowledge" in home and "Acknowledge or send back" in home
    page = page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert "Reported done: acknowledge or send back" in page
    response = client.post(
        f"/groups/wg/actions/{item.id}/acknowledge",
        {"settle-comment": "Received, thank you."},
        follow_redirects=True,
    )
    assert "Acknowledged: the action is done." in page_text(response)
    assert _state(item.id)[0] == ActionStatus.DONE
    assert "Reported done — to acknowledge" not in page_text(client.get("/"))


def test_sending_back_needs_a_reason_and_tells_the_delegation(council, client):
    item = _item(council)
    update(council, "delegate_kz", item, status="done", reference=NV)
    login(client, "coord@sec.example.org")
    url = f"/groups/wg/actions/{item.id}/send-back"
    response = client.post(url, {"settle-comment": ""})
    assert response.status_code == 422
    assert "why the report is sent back" in page_text(response)
    assert _state(item.id)[:2] == (ActionStatus.REPORTED, 2)
    response = client.post(url, {"settle-comment": "The scan is missing."}, follow_redirects=True)
    assert "Sent back: the action is in progress." in page_text(response)
    assert _state(item.id)[:2] == (ActionStatus.IN_PROGRESS, 3)


def test_a_coordinators_own_report_is_done_at_once(council, client):
    item = _item(council)
    login(client, "coord@sec.example.org")
    assert _report(client, item).status_code == 302
    assert _state(item.id)[0] == ActionStatus.DONE


@pytest.mark.parametrize("start", ["cancelled", "done"])
def test_nobody_reports_a_cancelled_or_done_action(council, client, start):
    item = _item(council)
    if start == "cancelled":
        update(council, "coordinator", item, status="cancelled", comment="Overtaken")
    else:
        update(council, "coordinator", item, status="done")
    before = _state(item.id)
    login(client, "del@kz.example.org")
    response = _report(client, item, file=("nv.pdf", PDF))
    assert response.status_code == 409
    assert "it cannot be reported done" in page_text(response)
    assert _state(item.id) == before  # no update, no document
    login(client, "coord@sec.example.org")
    assert _report(client, item).status_code == 409


def test_reporting_twice_is_a_conflict(council, client):
    item = _item(council)
    login(client, "del@kz.example.org")
    assert _report(client, item).status_code == 302
    response = _report(client, item)
    assert response.status_code == 409
    assert "already reported done" in page_text(response)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "not accepted"),
        ("report.pdf", b"just some text", "content is text"),
        ("empty.pdf", b"", "is empty"),
        ("page.html", b"<!doctype html><html><script>alert(1)</script></html>", "HTML, SVG"),
    ],
)
def test_refused_evidence_changes_nothing_not_even_the_status(
    council, client, name, content, message
):
    item = _item(council)
    before = _state(item.id)
    login(client, "del@kz.example.org")
    response = _report(client, item, file=(name, content))
    assert response.status_code == 422
    assert message in page_text(response).replace("&#39;", "'")
    assert _state(item.id) == before


def test_a_report_needs_a_reference_or_a_comment(council, client):
    item = _item(council)
    login(client, "del@kz.example.org")
    response = _report(client, item, reference="", comment="")
    assert response.status_code == 422
    assert "Give the reference of the note verbale" in page_text(response)
    assert _state(item.id)[0] == ActionStatus.OPEN


@pytest.mark.parametrize("visibility", ["public", ""])
def test_a_bad_visibility_for_evidence_is_refused(council, client, visibility):
    item = _item(council)
    before = _state(item.id)
    login(client, "del@kz.example.org")
    response = _report(client, item, file=("nv.pdf", PDF), visibility=visibility)
    assert response.status_code == 422
    assert _state(item.id) == before


# --- who may not -----------------------------------------------------------------------
@pytest.mark.parametrize("who", ["observer", "delegate_tr"])
def test_observers_and_another_state_never_report(council, client, who):
    item = _item(council)
    login(client, council["people"][who].email)
    assert _report(client, item).status_code == 403
    assert "Report this action done" not in page_text(client.get(f"/groups/wg/actions/{item.id}"))
    assert _state(item.id)[0] == ActionStatus.OPEN


@pytest.mark.parametrize("who", ["delegate_kz", "head_kz", "observer"])
@pytest.mark.parametrize("route", ["acknowledge", "send-back"])
def test_a_delegate_cannot_acknowledge_or_send_back(council, client, who, route):
    item = _item(council)
    update(council, "delegate_kz", item, status="done", reference=NV)
    login(client, council["people"][who].email)
    response = client.post(f"/groups/wg/actions/{item.id}/{route}", {"settle-comment": "ok"})
    assert response.status_code == 403
    response = client.post(f"/groups/wg/actions/{item.id}/update", {"status": "done"})
    assert response.status_code == 403
    assert _state(item.id)[:2] == (ActionStatus.REPORTED, 2)


def test_settling_what_is_not_reported_is_a_conflict(council, client):
    item = _item(council)
    login(client, "coord@sec.example.org")
    response = client.post(f"/groups/wg/actions/{item.id}/acknowledge", {})
    assert response.status_code == 409
    assert "not reported done" in page_text(response)
    assert _state(item.id)[:2] == (ActionStatus.OPEN, 1)


def test_a_stale_form_is_a_conflict(council, client):
    item = _item(council)
    login(client, "del@kz.example.org")
    update(council, "coordinator", item, status="in_progress")
    response = client.post(
        f"/groups/wg/actions/{item.id}/update",
        {"status": "done", "seen_status": "open", "reference": NV},
    )
    assert response.status_code == 409
    assert "changed meanwhile" in page_text(response)
    assert _state(item.id)[0] == ActionStatus.IN_PROGRESS


# --- overdue, needs, lists -------------------------------------------------------------
def test_reported_is_not_overdue_and_needs_the_coordinators(council):
    late = make_action(council, "Late one", due=date(2020, 1, 1), confirm_past_due=True)
    update(council, "delegate_kz", late, status="done", reference=NV)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert not is_overdue(late, now)
    from konsey.actions import queries

    rows = queries.list_actions(
        council["people"]["admin"], queries.ActionFilter(overdue=True), Clock.load(now)
    ).rows
    assert rows == []
    head = council["people"]["head_kz"]
    roles = {council["wg"].id: "head"}
    from konsey.models import Role

    batch = needs.load([head], {head.id: {council["wg"].id: Role.HEAD}}, now)
    assert all(i.id != late.id for i, _ in batch.actions)
    coordinator = council["people"]["coordinator"]
    batch = needs.load([coordinator], {coordinator.id: {council["wg"].id: Role.COORDINATOR}}, now)
    assert [(i.id, u.new_status) for i, u in batch.acknowledge] == [
        (late.id, ActionStatus.REPORTED)
    ]
    assert roles


def test_lists_filters_and_matrix_show_reported_as_its_own_status(council, client):
    reported = _item(council, title="Reported one")
    _item(council, title="Open one")
    update(council, "delegate_kz", reported, status="done", reference=NV)
    login(client, "coord@sec.example.org")
    page = client.get("/groups/wg/actions?status=reported").get_data(as_text=True)
    assert "Reported one" in page and "Open one" not in page
    assert 'value="reported" checked' in page
    assert "/groups/wg/actions?state=KZ&amp;status=reported" in page  # the matrix column
    assert "Reported done" in page
    council_page = page_text(client.get("/actions/council"))
    assert "reported done" in council_page
    api = client.http.get("/api/v1/actions?status=reported").json
    assert [a["title"] for a in api] == ["Reported one"]


# --- races: real parallel requests -----------------------------------------------------
@pytest.mark.postgres
def test_two_coordinators_settling_at_once_one_wins_the_other_gets_409(council, live_url):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tests.conftest import BACKEND

    if BACKEND != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")

    from konsey import audit
    from konsey.auth.api_tokens import create_token

    item = _item(council)
    update(council, "delegate_kz", item, status="done", reference=NV)
    headers = {}
    for who in ("coordinator", "secretary"):
        _, secret = create_token(audit.SYSTEM, council["people"][who], "system")
        headers[who] = {"Authorization": f"Bearer {secret}", "Host": "konsey.test"}
    db.session.commit()
    url = f"{live_url}/api/v1/actions/{item.id}"
    bodies = {
        "coordinator": {"status": "done", "expected_status": "reported"},
        "secretary": {"status": "in_progress", "comment": "Scan missing",
                      "expected_status": "reported"},
    }  # fmt: skip
    barrier = threading.Barrier(2)

    def send(who):
        barrier.wait()
        r = requests.patch(
            url,
            json=bodies[who],
            headers=headers[who],
            timeout=30,
        )
        return who, r.status_code

    with ThreadPoolExecutor(2) as pool:
        results = dict(pool.map(send, ["coordinator", "secretary"]))
    assert sorted(results.values()) == [200, 409], results
    winner = next(w for w, code in results.items() if code == 200)
    db.session.expire_all()
    item = db.session.get(ActionItem, item.id)
    assert item.status == (
        ActionStatus.DONE if winner == "coordinator" else ActionStatus.IN_PROGRESS
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ActionUpdate.id)).where(ActionUpdate.action_id == item.id)
        )
        == 3
    )
