""" "Needs you" notices: each kind reaches exactly the right people, once, in
their language and zone — and nobody else (observers, other states, people
who lost access, the person who acted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from konsey import audit
from konsey.actions import services as actions
from konsey.extensions import db
from konsey.mail.delivery import deliver_pending
from konsey.minutes import agreement
from konsey.minutes import services as minutes_services
from konsey.models import (
    ActionItem,
    Membership,
    NoticeMode,
    OutboxMessage,
    OutboxState,
)
from konsey.notifications import immediate, reminders
from konsey.notifications import notices as n
from tests import factories as f
from tests.integration import minutes_world

NOW = datetime(2026, 11, 10, 7, 0, tzinfo=UTC)


def actor(user):
    return audit.Actor(user, "127.0.0.1")


@pytest.fixture
def w(ctx):
    world = minutes_world.build()
    with f.batch():
        tr = f.make_state("TR", "Turkey", tz="Europe/Istanbul")
        world.tr = tr
        world.tr_head = f.make_user(
            "head@tr.example.org", name="Ayşe Head", state=tr, locale="tr",
            timezone="Europe/Istanbul",
        )  # fmt: skip
        f.add(world.group, world.tr_head, "head")
        world.kz_head.locale = "ru"
        world.kz_head.timezone = "Asia/Almaty"
        other = f.make_group("tasim", "TASIM")
        world.other_coordinator = f.make_user("pd@tasim.example.org", name="TASIM Director")
        f.add(other, world.other_coordinator, "coordinator")
        world.other_group = other
    # Start the notice cursor before the story begins (as a running beat has).
    immediate.run(NOW)
    return world


def run():
    immediate.run(NOW)
    return immediate.run(NOW)  # a second run at once finds nothing new


def notices_of(kind: str) -> dict[str, OutboxMessage]:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"notice:{kind}:"))
    ).all()
    by_recipient: dict[str, OutboxMessage] = {}
    for row in rows:
        assert row.recipient not in by_recipient, f"{row.recipient} got {kind} twice"
        by_recipient[row.recipient] = row
    return by_recipient


def draft(w, text="The group agreed to exchange contact points.", *, by=None):
    minutes = minutes_world.minutes_of(w.meeting)
    minutes_services.add_version(actor(by or w.coordinator), w.meeting, minutes, text, now=NOW)
    return minutes_world.minutes_of(w.meeting)


def circulate(w, minutes, *, days=7, silence=False):
    minutes_services.circulate(
        actor(w.coordinator),
        minutes,
        deadline=NOW + timedelta(days=days),
        silence_procedure=silence,
        now=NOW,
    )


def position(w, head, kind="agree", text="", version=None):
    minutes = minutes_world.minutes_of(w.meeting)
    agreement.record_position(
        actor(head),
        minutes,
        head,
        version_number=version or minutes.current.number,
        position=kind,
        text=text,
        now=NOW,
    )


HEADS = {"head@kz.example.org", "head@az.example.org", "head@tr.example.org"}


def test_circulating_asks_each_participating_head_once_in_their_language(w):
    minutes = draft(w)
    circulate(w, minutes, silence=True)
    assert run() == 0
    got = notices_of(n.POSITION_NEEDED)
    # Heads only: not the delegate, expert, observer state, signatory or coordinator.
    assert set(got) == HEADS
    kz = got["head@kz.example.org"]
    assert kz.dedupe_key == f"notice:minutes.position_needed:{minutes.id}:v1:{w.kz_head.id}"
    assert "Позиция" in kz.subject or "позиция" in kz.subject  # Russian
    assert "Asia/Almaty" in kz.body_text  # the deadline in the head's own zone
    assert f"/meetings/{w.meeting.id}/minutes#position" in kz.body_text
    assert "#position" in kz.body_html
    tr = got["head@tr.example.org"]
    assert "Europe/Istanbul" in tr.body_text and "tutanağı" in tr.subject
    assert kz.list_class == "notices" and kz.about == f"minutes:{minutes.id}"


def test_circulating_again_with_a_new_deadline_asks_again(w):
    minutes = draft(w)
    circulate(w, minutes)
    run()
    circulate(w, minutes, days=10)
    run()
    rows = db.session.scalars(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.recipient == "head@az.example.org",
            OutboxMessage.dedupe_key.startswith("notice:minutes.position_needed:"),
        )
    ).all()
    assert len(rows) == 2


def test_a_new_version_tells_who_had_a_position_that_it_no_longer_counts(w):
    minutes = draft(w)
    circulate(w, minutes)
    position(w, w.az_head, "agree")
    position(w, w.tr_head, "reservation", "Turkey leads the exchange together with Azerbaijan.")
    run()
    db.session.query(OutboxMessage).delete()
    minutes_services.add_version(
        actor(w.coordinator),
        w.meeting,
        minutes,
        "The exchange is led by Turkey together with Azerbaijan.",
        note="Turkey's reservation taken into account.",
        now=NOW,
    )
    run()
    reset = notices_of(n.POSITION_RESET)
    assert set(reset) == {"head@az.example.org", "head@tr.example.org"}
    az = reset["head@az.example.org"]
    assert "agreement on version 1 no longer counts: version 2 replaced it" in az.body_text
    assert "Turkey's reservation taken into account." in az.body_text
    assert f"/meetings/{w.meeting.id}/minutes/diff?from=1&to=2" in az.body_text
    assert "#position" in az.body_text
    # The state that had said nothing is asked for a position on version 2.
    assert set(notices_of(n.POSITION_NEEDED)) == {"head@kz.example.org"}


def test_a_reservation_tells_the_groups_coordinators_only(w):
    minutes = draft(w)
    circulate(w, minutes)
    run()
    position(w, w.tr_head, "reservation", "Turkey leads the exchange together with Azerbaijan.")
    run()
    got = notices_of(n.RESERVATION)
    assert set(got) == {"pd@secretariat.example.org"}  # not TASIM's, not the heads
    body = got["pd@secretariat.example.org"].body_text
    assert "Turkey" in body and "together with Azerbaijan" in body and "version 1" in body


def test_an_agreement_is_not_a_reservation(w):
    minutes = draft(w)
    circulate(w, minutes)
    position(w, w.kz_head, "agree")
    run()
    assert notices_of(n.RESERVATION) == {}


def test_a_comment_tells_the_coordinators_who_said_what(w):
    minutes = draft(w)
    circulate(w, minutes)
    minutes_services.add_comment(
        actor(w.kz_delegate), minutes, w.kz_delegate, "Please add our CERT's name.", now=NOW
    )
    run()
    got = notices_of(n.COMMENT)
    assert set(got) == {"pd@secretariat.example.org"}
    body = got["pd@secretariat.example.org"].body_text
    assert "Dana Delegate (Kazakhstan)" in body and "Please add our CERT's name." in body


def test_agreement_of_all_tells_the_signatory_and_coordinators(w):
    minutes = draft(w)
    circulate(w, minutes)
    for head in (w.kz_head, w.az_head, w.tr_head):
        position(w, head, "agree")
    run()
    got = notices_of(n.AGREED)
    assert set(got) == {"sg@secretariat.example.org", "pd@secretariat.example.org"}
    assert "#sign" in got["sg@secretariat.example.org"].body_text


def test_deadline_soon_reaches_heads_without_a_position_at_nine_their_time(w):
    minutes = draft(w)
    minutes_services.circulate(
        actor(w.coordinator),
        minutes,
        deadline=datetime(2026, 11, 12, 14, 0, tzinfo=UTC),
        silence_procedure=True,
        now=NOW,
    )
    position(w, w.az_head, "agree")
    # 10 November, 03:30 UTC: 08:30 in Almaty, 06:30 in Istanbul: nobody yet.
    reminders.scan(datetime(2026, 11, 10, 3, 30, tzinfo=UTC))
    assert notices_of(n.DEADLINE_SOON) == {}
    # 04:00 UTC is 09:00 in Almaty: Kazakhstan's head is told; Istanbul is at 07:00.
    reminders.scan(datetime(2026, 11, 10, 4, 0, tzinfo=UTC))
    assert set(notices_of(n.DEADLINE_SOON)) == {"head@kz.example.org"}
    reminders.scan(datetime(2026, 11, 10, 6, 0, tzinfo=UTC))  # 09:00 in Istanbul
    reminders.scan(datetime(2026, 11, 10, 7, 0, tzinfo=UTC))  # and again: no second one
    got = notices_of(n.DEADLINE_SOON)
    assert set(got) == {"head@kz.example.org", "head@tr.example.org"}  # AZ has agreed
    assert "counted as agreeing" in got["head@tr.example.org"].body_text or (
        "zımni" in got["head@tr.example.org"].body_text.lower()
    )


def _action(w, **kw):
    return actions.create_action(
        actor(w.coordinator),
        w.group,
        title=kw.pop("title", "Share the national CERT contact list"),
        due_date=kw.pop("due_date", (NOW + timedelta(days=35)).date()),
        now=NOW,
        priority=kw.pop("priority", "high"),
        **kw,
    )


def test_an_action_owed_by_a_state_tells_its_delegation_in_the_group(w):
    item = _action(w, owner_state=w.kz)
    run()
    got = notices_of(n.ASSIGNED)
    assert set(got) == {"head@kz.example.org", "dana@kz.example.org", "erlan@kz.example.org"}
    body = got["dana@kz.example.org"].body_text
    assert "Share the national CERT contact list" in body
    assert "Asia/Almaty" in body  # the due date is a date in the owner's zone
    assert f"/groups/cyber/actions/{item.id}" in body
    assert "outside" not in " ".join(got)  # a Kazakh outside the group is not told


def test_an_action_for_a_person_tells_that_person_only(w):
    _action(w, assignee=w.az_head)
    run()
    assert set(notices_of(n.ASSIGNED)) == {"head@az.example.org"}


def test_reported_done_by_the_delegation_tells_the_coordinators(w):
    item = _action(w, owner_state=w.kz)
    actions.update_action(
        actor(w.kz_head), item, now=NOW, status="done",
        comment="Sent to all CERTs.", reference="Note verbale No. 12-1/2345",
    )  # fmt: skip
    run()
    got = notices_of(n.REPORTED)
    assert set(got) == {"pd@secretariat.example.org"}
    body = got["pd@secretariat.example.org"].body_text
    assert "Note verbale No. 12-1/2345" in body and "Sent to all CERTs." in body
    assert "Nurlan Head (Kazakhstan)" in body


def test_done_by_a_coordinator_tells_nobody_and_sending_back_tells_the_owner(w):
    item = _action(w, owner_state=w.kz)
    actions.update_action(actor(w.kz_head), item, now=NOW, status="done")
    run()
    # Sending a report back is to "in progress" (the workflow table has no reported → open).
    actions.update_action(
        actor(w.coordinator), item, now=NOW, status="in_progress",
        comment="Please attach the note verbale.",
    )  # fmt: skip
    run()
    got = notices_of(n.RETURNED)
    assert set(got) == {"head@kz.example.org", "dana@kz.example.org", "erlan@kz.example.org"}
    assert "Please attach the note verbale." in got["dana@kz.example.org"].body_text
    other = _action(w, owner_state=w.kz, title="Second")
    actions.update_action(actor(w.coordinator), other, now=NOW, status="done")
    run()
    assert all(f":{other.id}:" not in row.dedupe_key for row in notices_of(n.REPORTED).values())


def test_people_who_lost_access_or_chose_the_digest_are_not_emailed(w):
    minutes = draft(w)
    db.session.execute(
        Membership.__table__.delete().where(Membership.user_id == w.az_head.id)
    )  # Azerbaijan's head left the group
    w.tr_head.notices = NoticeMode.DIGEST
    w.kz_head.is_active_account = False
    db.session.commit()
    circulate(w, minutes)
    run()
    assert notices_of(n.POSITION_NEEDED) == {}


def test_nobody_is_told_of_their_own_act(w):
    w.coordinator.is_signatory = True
    db.session.commit()
    item = _action(w, assignee=w.coordinator)
    run()
    assert notices_of(n.ASSIGNED) == {}
    assert item.id


def test_unknown_language_or_zone_in_old_data_falls_back(w):
    w.kz_head.locale = "xx"
    w.kz_head.timezone = "Mars/Olympus_Mons"
    db.session.commit()
    minutes = draft(w)
    circulate(w, minutes)
    run()
    row = notices_of(n.POSITION_NEEDED)["head@kz.example.org"]
    assert "position" in row.subject.lower()  # English, the default
    assert "(UTC)" in row.body_text


def test_a_notice_whose_object_was_deleted_is_not_sent_and_says_why(w, app):
    item = _action(w, owner_state=w.kz)
    run()
    db.session.delete(db.session.get(ActionItem, item.id))
    db.session.commit()
    app.config["SMTP_HOST"] = ""
    deliver_pending()
    rows = list(notices_of(n.ASSIGNED).values())
    assert rows and all(r.state == OutboxState.FAILED for r in rows)
    assert "deleted before delivery" in rows[0].last_error


def test_every_kind_has_a_rule_or_a_scan_and_a_subject():
    assert set(n.SUBJECTS) == set(n.KINDS)
    produced = {n.DEADLINE_SOON}
    assert set(n.RULES) == {
        "minutes.circulate",
        "minutes.version_add",
        "minutes.position",
        "minutes.comment",
        "minutes.agreed",
        "action.create",
        "action.update",
    }
    assert produced <= set(n.KINDS)


# The email as mail clients read it ---------------------------------------------
def _delivered(app, row: OutboxMessage):
    import email
    from email import policy as email_policy

    from konsey.mail.delivery import build_message

    raw = bytes(build_message(row, app.config["MAIL_FROM"]))
    return email.message_from_bytes(raw, policy=email_policy.default)


@pytest.fixture
def https_base(app):
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = "https://konsey.example.org"
    yield "https://konsey.example.org"
    app.config["BASE_URL"] = saved


def _one_notice(w) -> OutboxMessage:
    _action(w, assignee=w.az_head)
    run()
    return notices_of(n.ASSIGNED)["head@az.example.org"]


def test_a_notice_carries_rfc_8058_and_3834_headers_and_both_parts(w, app, https_base):
    msg = _delivered(app, _one_notice(w))
    assert msg["Auto-Submitted"] == "auto-generated"  # RFC 3834
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    unsubscribe = msg["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://konsey.example.org/notifications/unsubscribe/")
    assert unsubscribe.endswith(">")
    assert msg["Message-ID"].endswith("@konsey.example.org>")
    assert msg["References"] == msg["In-Reply-To"]  # one thread per action
    assert {part.get_content_type() for part in msg.iter_parts()} == {
        "text/plain",
        "text/html",
    }
    # Built from the same row, the Message-ID does not change between attempts.
    assert (
        _delivered(app, notices_of(n.ASSIGNED)["head@az.example.org"])["Message-ID"]
        == (msg["Message-ID"])
    )


def test_account_mail_has_no_unsubscribe(w, app):
    from konsey.mail.outbox import queue_email

    row = queue_email(w.az_head, "invitation", "Welcome", token="x")
    db.session.commit()
    msg = _delivered(app, row)
    assert msg["List-Unsubscribe"] is None and msg["Auto-Submitted"] == "auto-generated"


def _unsubscribe_path(app, row) -> str:
    return _delivered(app, row)["List-Unsubscribe"].strip("<>").split("konsey.test", 1)[1]


def test_one_click_unsubscribe_works_without_login_and_get_changes_nothing(w, app, client):
    path = _unsubscribe_path(app, _one_notice(w))
    page = client.get(path)  # what a link scanner does
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    db.session.refresh(w.az_head)
    assert w.az_head.notices == NoticeMode.IMMEDIATELY
    # What the mail client sends (RFC 8058 §3.2): no cookie, no CSRF token.
    r = client.http.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200
    db.session.refresh(w.az_head)
    assert w.az_head.notices == NoticeMode.DIGEST
    assert minutes_world.audit_actions("user.")[-1] == "user.notices_change"
    assert client.http.post(path, data="List-Unsubscribe=One-Click").status_code == 200


def test_the_digest_class_turns_the_digest_off(w, app, client):
    from konsey.models import DigestFrequency
    from konsey.notifications import links

    token = links.make_unsubscribe_token(w.kz_head.id, "digest")
    r = client.http.post(f"/notifications/unsubscribe/{token}", data="List-Unsubscribe=One-Click")
    assert r.status_code == 200
    db.session.refresh(w.kz_head)
    assert w.kz_head.digest == DigestFrequency.OFF
    assert w.kz_head.notices == NoticeMode.IMMEDIATELY


@pytest.mark.parametrize("damage", ["tampered", "other-class", "expired", "garbage"])
def test_a_damaged_or_expired_unsubscribe_link_answers_400_and_changes_nothing(
    w, app, client, monkeypatch, damage
):
    from itsdangerous import URLSafeTimedSerializer

    from konsey.notifications import links

    token = links.make_unsubscribe_token(w.kz_head.id, "notices")
    if damage == "tampered":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif damage == "other-class":
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="konsey.unsubscribe").dumps(
            {"u": w.kz_head.id, "c": "everything"}
        )
    elif damage == "expired":
        monkeypatch.setattr(links, "UNSUBSCRIBE_MAX_AGE", -1)
    else:
        token = "not-a-token"
    before = minutes_world.audit_count()
    r = client.http.post(f"/notifications/unsubscribe/{token}", data="List-Unsubscribe=One-Click")
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert ("expired" in text) if damage == "expired" else ("not valid" in text)
    db.session.refresh(w.kz_head)
    assert w.kz_head.notices == NoticeMode.IMMEDIATELY
    assert minutes_world.audit_count() == before


def test_the_account_page_sets_how_notices_arrive(w, app, make_client):
    client = make_client()
    client.login(w.kz_head.email)
    page = client.get("/account").get_data(as_text=True)
    assert 'name="notices"' in page
    form = {
        "name": w.kz_head.name,
        "locale": "ru",
        "timezone": "Asia/Almaty",
        "digest": "daily",
        "notices": "digest",
    }
    assert client.post("/account/profile", form).status_code == 302
    db.session.refresh(w.kz_head)
    assert w.kz_head.notices == NoticeMode.DIGEST
    r = client.post("/account/profile", {**form, "notices": "hourly"})
    assert r.status_code == 422 and "immediately" in r.get_data(as_text=True).lower()
    db.session.refresh(w.kz_head)
    assert w.kz_head.notices == NoticeMode.DIGEST


def test_a_refused_address_fails_visibly_and_the_others_go_out(w, app):
    from aiosmtpd.controller import Controller

    from tests.integration.test_workers import RecordingSMTP, _free_port

    handler = RecordingSMTP()
    handler.unknown.add("head@az.example.org")
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    try:
        circulate(w, draft(w))
        run()
        deliver_pending()
    finally:
        controller.stop()
        app.config.update(saved)
    got = notices_of(n.POSITION_NEEDED)
    assert got["head@az.example.org"].state == OutboxState.FAILED
    assert "550" in got["head@az.example.org"].last_error
    assert {r for r, row in got.items() if row.state == OutboxState.SENT} == HEADS - {
        "head@az.example.org"
    }
    assert handler.to("head@kz.example.org") == 1


def test_a_change_committed_after_a_run_passed_its_id_is_still_told(w):
    """Two transactions: the later id commits first, a run advances past both,
    then the earlier one commits. Its event must not be skipped."""
    from konsey.models import AuditEvent, NotificationCursor

    item = _action(w, assignee=w.az_head)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "action.create", AuditEvent.object_id == str(item.id)
        )
    )
    event.created_at = NOW - timedelta(seconds=30)
    cursor = db.session.get(NotificationCursor, immediate.CURSOR)
    cursor.last_event_id = event.id  # a run already went past this id
    db.session.commit()
    run()
    assert set(notices_of(n.ASSIGNED)) == {"head@az.example.org"}


def test_the_demo_story_so_far_is_not_mailed_but_what_is_played_next_is(demo):
    from datetime import UTC, datetime

    from konsey.models import Minutes, MinutesStatus, User

    now = datetime.now(UTC)
    assert immediate.run(now) == 0  # the demo's own history
    minutes = db.session.scalar(select(Minutes).where(Minutes.status == MinutesStatus.CIRCULATED))
    head = db.session.scalar(select(User).where(User.email == "head.kz@kz.example.org"))
    agreement.record_position(
        actor(head), minutes, head, version_number=minutes.current.number,
        position="reservation", text="Kazakhstan reserves its position on paragraph 3.", now=now,
    )  # fmt: skip
    assert immediate.run(now) == 1
    assert set(notices_of(n.RESERVATION)) == {"coordinator@secretariat.example.org"}
