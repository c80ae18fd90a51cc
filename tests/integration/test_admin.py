"""The admin area: member states, users (invitations, deactivation), working
groups, the audit log and the outbox — as an administrator uses them.

Every refused input is checked three ways: a 4xx answer, a message the
administrator can read on the page, and a database left as it was.
"""

from __future__ import annotations

import email
import html
import re
from datetime import UTC, datetime
from email import policy as email_policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from konsey.extensions import db
from konsey.mail import reasons
from konsey.models import (
    AuditEvent,
    Membership,
    MemberState,
    OutboxMessage,
    OutboxState,
    StateStatus,
    User,
    WorkingGroup,
)
from tests import factories as f

ADMIN = "admin@secretariat.example.org"
LOCAL_IP = "127.0.0.1"  # the test client's remote address
TABLES = (MemberState, User, WorkingGroup, Membership, AuditEvent, OutboxMessage)


# Helpers ------------------------------------------------------------------------
def page_text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def refresh() -> None:
    """Forget what this test's session has loaded; the next read sees the database."""
    db.session.rollback()


def row_counts() -> dict[str, int]:
    refresh()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in TABLES
    }


def events(action: str) -> list[AuditEvent]:
    refresh()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def assert_refused(response, status: int, message: str, before: dict[str, int]) -> None:
    assert response.status_code == status, page_text(response)[:2000]
    assert message in page_text(response)
    assert row_counts() == before


def assert_audited(action: str, actor: User, obj) -> AuditEvent:
    found = [e for e in events(action) if e.object_id == str(obj.id)]
    assert len(found) == 1, f"expected one {action} event for {obj!r}, got {found}"
    event = found[0]
    assert event.actor_id == actor.id
    assert event.ip == LOCAL_IP
    assert event.object_type == obj.__tablename__
    return event


def state_form(**overrides) -> dict[str, str]:
    data = {
        "code": "KZ",
        "name": "Kazakhstan",
        "name_tr": "Kazakistan",
        "name_ru": "Казахстан",
        "status": "member",
        "capital_timezone": "Asia/Almaty",
    }
    return {**data, **overrides}


def user_form(**overrides) -> dict[str, str]:
    data = {
        "email": "aigerim@kz.example.org",
        "name": "Aigerim Nurlanovna",
        "member_state": "0",
        "locale": "ru",
        "timezone": "Asia/Almaty",
    }
    return {**data, **overrides}


def group_form(**overrides) -> dict[str, str]:
    data = {"slug": "cyber-security", "name": "Cyber Security", "mandate": "Incident response."}
    return {**data, **overrides}


@pytest.fixture
def admin(ctx, client) -> User:
    user = f.make_user(ADMIN, name="Secretariat Administrator", is_admin=True)
    assert client.login(ADMIN).status_code == 302
    return user


@pytest.fixture
def kz(ctx) -> MemberState:
    return f.make_state("KZ", "Kazakhstan")


# Member states ----------------------------------------------------------------------
def test_create_state_lists_it_and_audits(client, admin):
    response = client.post("/admin/states/new", state_form(code="kz"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/states")

    refresh()
    state = db.session.scalar(select(MemberState).where(MemberState.code == "KZ"))
    assert state is not None, "the code is stored in upper case"
    assert state.name == "Kazakhstan"
    assert state.names == {"tr": "Kazakistan", "ru": "Казахстан"}
    assert state.status == StateStatus.MEMBER
    assert state.capital_timezone == "Asia/Almaty"
    assert_audited("state.create", admin, state)

    listing = page_text(client.get("/admin/states"))
    assert "The member state is saved." in listing
    assert "KZ Kazakhstan Member Asia/Almaty" in listing


def test_edit_state_records_what_changed(client, admin, kz):
    form = client.get(f"/admin/states/{kz.id}")
    assert form.status_code == 200
    assert 'value="Kazakhstan"' in form.get_data(as_text=True)

    response = client.post(
        f"/admin/states/{kz.id}",
        state_form(name="Republic of Kazakhstan", capital_timezone="Asia/Qostanay"),
    )
    assert response.status_code == 302

    refresh()
    state = db.session.get(MemberState, kz.id)
    assert state.name == "Republic of Kazakhstan"
    assert state.capital_timezone == "Asia/Qostanay"
    event = assert_audited("state.update", admin, state)
    assert event.details["changed"]["name"] == ["Kazakhstan", "Republic of Kazakhstan"]
    assert "Republic of Kazakhstan" in page_text(client.get("/admin/states"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "K1"}, "Use the two-letter ISO 3166 code, e.g. KZ."),
        ({"code": "KAZ"}, "Use the two-letter ISO 3166 code, e.g. KZ."),
        ({"code": ""}, "This field is required."),
        ({"capital_timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"status": "colony"}, "Not a valid choice"),
    ],
)
def test_create_state_refuses_bad_input(client, admin, overrides, message):
    before = row_counts()
    response = client.post("/admin/states/new", state_form(**overrides))
    assert_refused(response, 422, message, before)


def test_create_state_refuses_duplicate_code(client, admin, kz):
    before = row_counts()
    response = client.post("/admin/states/new", state_form(code="kz", name="Kazakhstan 2"))
    assert_refused(response, 409, "A member state with this code exists already.", before)


def test_edit_state_refuses_another_states_code(client, admin, kz):
    az = f.make_state("AZ", "Azerbaijan", tz="Asia/Baku")
    before = row_counts()
    response = client.post(
        f"/admin/states/{az.id}",
        state_form(code="KZ", name="Azerbaijan", capital_timezone="Asia/Baku"),
    )
    assert_refused(response, 409, "A member state with this code exists already.", before)
    refresh()
    assert db.session.get(MemberState, az.id).code == "AZ"


def test_state_with_delegates_cannot_become_observer(client, admin, kz):
    group = f.make_group("wg")
    f.add(group, f.make_user(state=kz), "delegate")
    before = row_counts()

    response = client.post(
        f"/admin/states/{kz.id}", state_form(status="observer", name="Kazakhstan (renamed)")
    )

    assert_refused(
        response,
        409,
        "This state still has delegates in groups; make them observers first.",
        before,
    )
    refresh()
    state = db.session.get(MemberState, kz.id)
    assert state.status == StateStatus.MEMBER
    assert state.name == "Kazakhstan", "nothing of the refused form is saved"


def test_state_with_only_observers_can_become_observer(client, admin, kz):
    f.add(f.make_group("wg"), f.make_user(state=kz), "observer")
    response = client.post(f"/admin/states/{kz.id}", state_form(status="observer"))
    assert response.status_code == 302
    refresh()
    assert db.session.get(MemberState, kz.id).status == StateStatus.OBSERVER
    assert "Observer" in page_text(client.get("/admin/states"))


def test_unknown_state_is_404(client, admin):
    assert client.get("/admin/states/999999").status_code == 404


# Users: invitation ------------------------------------------------------------------
def _eml_for(app, message: OutboxMessage) -> email.message.EmailMessage:
    path = Path(app.config["MAIL_FOLDER"]) / f"{message.id:08d}.eml"
    assert path.exists(), f"no mail file {path}"
    return email.message_from_bytes(path.read_bytes(), policy=email_policy.default)


def test_invitation_creates_account_and_working_setup_link(app, client, admin, kz, make_client):
    before = row_counts()
    response = client.post(
        "/admin/users/new",
        user_form(email="  Aigerim@KZ.Example.org ", member_state=str(kz.id)),
    )
    assert response.status_code == 302
    assert "The invitation is sent." in page_text(client.get("/admin/users"))

    refresh()
    user = db.session.scalar(select(User).where(User.email == "aigerim@kz.example.org"))
    assert user is not None, "the email is stored trimmed and in lower case"
    assert user.password_hash is None
    assert user.member_state_id == kz.id
    assert (user.locale, user.timezone, user.is_admin) == ("ru", "Asia/Almaty", False)
    assert_audited("user.invite", admin, user)
    assert_audited("user.invitation_sent", admin, user)
    assert row_counts()["User"] == before["User"] + 1

    # One outbox row, delivered to the mail folder.
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id))
    assert message.recipient == "aigerim@kz.example.org"
    assert message.state == OutboxState.SENT
    assert row_counts()["OutboxMessage"] == before["OutboxMessage"] + 1
    mail = _eml_for(app, message)
    assert mail["To"] == "aigerim@kz.example.org"
    assert mail["Subject"] == message.subject
    body = mail.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+/account/setup/\S+", body)
    assert len(links) == 1, body
    link = urlsplit(links[0])
    assert link.netloc == "konsey.test"

    # The invited person, in their own browser, sets a password and logs in.
    invitee = make_client()
    assert invitee.get(link.path).status_code == 200
    too_short = invitee.post(link.path, {"password": "short", "confirm": "short"})
    assert too_short.status_code == 422
    assert "at least 12 characters" in page_text(too_short)
    new_password = "steppe wind over almaty 2017"
    done = invitee.post(link.path, {"password": new_password, "confirm": new_password})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/login")
    assert invitee.login("aigerim@kz.example.org", new_password).status_code == 302
    assert invitee.get("/groups").status_code == 200
    assert events("user.account_setup")[-1].actor_id == user.id

    # The link works once.
    again = make_client().get(link.path)
    assert again.status_code == 400
    assert "not valid or has already been used" in page_text(again)

    # The admin's user list now shows the account as active.
    listing = page_text(client.get("/admin/users?q=aigerim"))
    assert "Aigerim Nurlanovna aigerim@kz.example.org KZ active" in listing


def test_invited_user_is_listed_as_invited(client, admin):
    assert client.post("/admin/users/new", user_form()).status_code == 302
    listing = page_text(client.get("/admin/users"))
    assert "Aigerim Nurlanovna aigerim@kz.example.org Secretariat invited" in listing


def test_invitation_refuses_duplicate_email_in_other_case(client, admin):
    f.make_user("head.kz@kz.example.org", name="Head of Delegation")
    before = row_counts()
    response = client.post("/admin/users/new", user_form(email="Head.KZ@KZ.example.org"))
    assert_refused(response, 409, "Another account uses this email address.", before)
    refresh()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(func.lower(User.email) == "head.kz@kz.example.org")
        )
        == 1
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "someone@"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"locale": "xx"}, "Not a valid choice"),
        ({"member_state": "999999"}, "Not a valid choice"),
    ],
)
def test_invitation_refuses_bad_input(client, admin, overrides, message):
    before = row_counts()
    response = client.post("/admin/users/new", user_form(**overrides))
    assert_refused(response, 422, message, before)


# Users: editing, deactivation --------------------------------------------------------
def test_edit_user_saves_and_audits(client, admin, kz):
    user = f.make_user("aigerim@kz.example.org", name="Aigerim", state=kz)
    f.add(f.make_group("wg"), user, "delegate")  # same state kept: allowed for a member
    response = client.post(
        f"/admin/users/{user.id}",
        user_form(
            email="aigerim@kz.example.org",
            name="Aigerim Nurlanovna",
            member_state=str(kz.id),
            locale="tr",
            timezone="Asia/Qostanay",
        ),
    )
    assert response.status_code == 302
    refresh()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.locale, saved.timezone) == (
        "Aigerim Nurlanovna",
        "tr",
        "Asia/Qostanay",
    )
    event = assert_audited("user.update", admin, saved)
    assert event.details["changed"]["name"] == ["Aigerim", "Aigerim Nurlanovna"]
    assert "The account is saved." in page_text(client.get("/admin/users"))


def test_edit_user_refuses_another_users_email(client, admin):
    f.make_user("taken@example.org")
    user = f.make_user("mine@example.org", name="Mine")
    before = row_counts()
    response = client.post(
        f"/admin/users/{user.id}", user_form(email="TAKEN@example.org", name="Mine")
    )
    assert_refused(response, 409, "Another account uses this email address.", before)
    refresh()
    assert db.session.get(User, user.id).email == "mine@example.org"


def test_edit_user_refuses_changing_state_of_a_group_member(client, admin, kz):
    az = f.make_state("AZ", "Azerbaijan", tz="Asia/Baku")
    user = f.make_user("delegate@kz.example.org", name="Delegate", state=kz)
    f.add(f.make_group("wg"), user, "delegate")
    before = row_counts()
    response = client.post(
        f"/admin/users/{user.id}",
        user_form(email="delegate@kz.example.org", name="Delegate", member_state=str(az.id)),
    )
    assert_refused(
        response,
        409,
        "Remove this person from their groups before changing their member state.",
        before,
    )
    refresh()
    assert db.session.get(User, user.id).member_state_id == kz.id


def test_admin_cannot_remove_own_admin_rights(client, admin):
    before = row_counts()
    response = client.post(
        f"/admin/users/{admin.id}",
        user_form(email=ADMIN, name="Secretariat Administrator", locale="en"),
    )  # "is_admin" left unticked
    assert_refused(response, 422, "You cannot take away your own admin rights.", before)
    refresh()
    assert db.session.get(User, admin.id).is_admin


def test_deactivation_ends_sessions_and_logins_until_reactivated(client, admin, kz, make_client):
    user = f.make_user("delegate@kz.example.org", name="Delegate", state=kz)
    browser = make_client()
    assert browser.login("delegate@kz.example.org").status_code == 302
    assert browser.get("/account").status_code == 200

    response = client.post(f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 302
    page = page_text(client.get(f"/admin/users/{user.id}"))
    assert "The account is deactivated." in page
    assert "This account is deactivated." in page
    refresh()
    assert not db.session.get(User, user.id).is_active_account
    assert_audited("user.deactivate", admin, user)

    # The session opened before the deactivation no longer works...
    kicked_out = browser.get("/account")
    assert kicked_out.status_code == 302
    assert "/login" in kicked_out.headers["Location"]
    # ...and the right password no longer opens a new one.
    refused = browser.login("delegate@kz.example.org")
    assert refused.status_code == 401
    assert "Wrong email or password, or the account is not active." in page_text(refused)
    assert "deactivated" in page_text(client.get("/admin/users"))

    response = client.post(f"/admin/users/{user.id}/activate")
    assert response.status_code == 302
    assert "The account is active." in page_text(client.get(f"/admin/users/{user.id}"))
    assert_audited("user.activate", admin, user)
    assert browser.login("delegate@kz.example.org").status_code == 302
    assert browser.get("/account").status_code == 200


def test_admin_cannot_deactivate_themself(client, admin):
    before = row_counts()
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert_refused(response, 422, "You cannot deactivate your own account.", before)
    refresh()
    assert db.session.get(User, admin.id).is_active_account
    assert client.get("/admin/").status_code == 200, "the admin is still logged in"


def test_deactivation_needs_the_form_token(client, admin, kz):
    user = f.make_user(state=kz)
    before = row_counts()
    response = client.post(f"/admin/users/{user.id}/deactivate", csrf=False)
    assert response.status_code == 400
    assert row_counts() == before


# Working groups ---------------------------------------------------------------------
def test_create_and_edit_group(client, admin):
    response = client.post("/admin/groups/new", group_form())
    assert response.status_code == 302
    refresh()
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "cyber-security"))
    assert (group.name, group.mandate) == ("Cyber Security", "Incident response.")
    assert_audited("group.create", admin, group)
    listing = page_text(client.get("/admin/groups"))
    assert "The working group is saved." in listing
    assert "cyber-security Cyber Security" in listing

    response = client.post(
        f"/admin/groups/{group.id}", group_form(name="Cyber Security and Resilience")
    )
    assert response.status_code == 302
    refresh()
    assert db.session.get(WorkingGroup, group.id).name == "Cyber Security and Resilience"
    event = assert_audited("group.update", admin, group)
    assert event.details["changed"]["name"] == ["Cyber Security", "Cyber Security and Resilience"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Bad Slug!"}, "Use lower-case letters, digits and hyphens (at most 64)."),
        ({"slug": "-leading-hyphen"}, "Use lower-case letters, digits and hyphens"),
        ({"slug": ""}, "This field is required."),
        ({"name": " "}, "This field is required."),
    ],
)
def test_create_group_refuses_bad_input(client, admin, overrides, message):
    before = row_counts()
    response = client.post("/admin/groups/new", group_form(**overrides))
    assert_refused(response, 422, message, before)


def test_group_slugs_are_unique(client, admin):
    f.make_group("cyber-security", "Cyber Security")
    other = f.make_group("e-government", "E-Government")
    before = row_counts()

    response = client.post("/admin/groups/new", group_form(name="Another"))
    assert_refused(response, 409, "A group with this short name exists already.", before)

    response = client.post(
        f"/admin/groups/{other.id}", group_form(slug="cyber-security", name="E-Government")
    )
    assert_refused(response, 409, "A group with this short name exists already.", before)
    refresh()
    assert db.session.get(WorkingGroup, other.id).slug == "e-government"


# Audit log ---------------------------------------------------------------------------
def _audit_actions(response) -> list[str]:
    return re.findall(r"<code>([^<]+)</code>", response.get_data(as_text=True))


def _backdate(action: str, when: datetime) -> None:
    refresh()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == action))
    event.created_at = when
    db.session.commit()


@pytest.fixture
def history(client, admin, make_client):
    """Changes by two administrators, some of them on earlier dates."""
    assert client.post("/admin/states/new", state_form()).status_code == 302
    assert client.post("/admin/groups/new", group_form()).status_code == 302
    f.make_user("deputy@secretariat.example.org", is_admin=True)
    other = make_client()
    assert other.login("deputy@secretariat.example.org").status_code == 302
    assert other.post("/admin/users/new", user_form()).status_code == 302
    _backdate("state.create", datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    _backdate("group.create", datetime(2025, 3, 31, 23, 30, tzinfo=UTC))
    return other


def test_audit_log_shows_events_with_actor_and_address(client, history):
    response = client.get("/admin/audit")
    assert response.status_code == 200
    actions = _audit_actions(response)
    for action in ["state.create", "group.create", "user.invite", "user.invitation_sent"]:
        assert action in actions
    text = page_text(response)
    assert f"{ADMIN} state.create member_state" in text
    assert "deputy@secretariat.example.org user.invite user_account" in text
    assert LOCAL_IP in text


def test_audit_log_filters(client, history):
    by_prefix = _audit_actions(client.get("/admin/audit?action=user."))
    assert "user.invite" in by_prefix
    assert all(a.startswith("user.") for a in by_prefix)

    by_actor = client.get("/admin/audit?actor=DEPUTY@")
    assert set(_audit_actions(by_actor)) >= {"user.invite", "user.login"}
    assert "state.create" not in _audit_actions(by_actor)
    assert ADMIN not in page_text(by_actor)

    # Both ends of the range are whole days, inclusive.
    in_march = _audit_actions(client.get("/admin/audit?since=2025-03-01&until=2025-03-31"))
    assert sorted(in_march) == ["group.create", "state.create"]
    first_day = _audit_actions(client.get("/admin/audit?since=2025-03-01&until=2025-03-01"))
    assert first_day == ["state.create"]
    since_april = _audit_actions(client.get("/admin/audit?since=2025-04-01"))
    assert "user.invite" in since_april
    assert not {"state.create", "group.create"} & set(since_april)

    nothing = client.get("/admin/audit?action=no.such.action")
    assert _audit_actions(nothing) == []
    assert "No events match." in page_text(nothing)


@pytest.mark.parametrize(
    "query",
    ["since=2026-13-45", "until=2026-13-45", "since=yesterday", "until=2026-02-30"],
)
def test_audit_log_bad_date_is_a_400_with_a_message(client, history, query):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert "Dates are written YYYY-MM-DD." in page_text(response)


def test_audit_log_accepts_the_extreme_dates(client, history):
    everything = _audit_actions(client.get("/admin/audit?since=0001-01-01&until=9999-12-31"))
    assert {"state.create", "group.create", "user.invite"} <= set(everything)


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/outbox"])
@pytest.mark.parametrize("page", ["abc", "-3", "0", "99999999999999999999999"])
def test_paging_with_odd_page_numbers_is_not_an_error(client, history, url, page):
    assert client.get(f"{url}?page={page}").status_code == 200


# Outbox -------------------------------------------------------------------------------
def test_outbox_lists_and_shows_the_invitation(client, admin):
    # An English-speaking invitee: the email is written in the recipient's language.
    assert client.post("/admin/users/new", user_form(locale="en")).status_code == 302
    refresh()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "aigerim@kz.example.org")
    )

    listing = client.get("/admin/outbox")
    assert listing.status_code == 200
    assert "aigerim@kz.example.org Konsey: set up your account sent 1" in page_text(listing)
    assert f'href="/admin/outbox/{message.id}"' in listing.get_data(as_text=True)
    # The states read as words of the admin's language, not as stored codes.
    assert '<option value="queued" >waiting to be sent</option>' in listing.get_data(as_text=True)
    assert "Konsey: set up your account" in page_text(client.get("/admin/outbox?state=sent"))
    assert "No messages." in page_text(client.get("/admin/outbox?state=failed"))

    shown = client.get(f"/admin/outbox/{message.id}")
    assert shown.status_code == 200
    text = page_text(shown)
    assert "Konsey: set up your account" in text
    assert "aigerim@kz.example.org" in text
    assert "Hello Aigerim Nurlanovna," in text
    # Issue 13 item 6: the admin sees where the link goes, never the link itself.
    assert "http://konsey.test/account/setup/" not in text
    assert "[link sent to the recipient only]" in text


def test_outbox_says_why_a_message_failed_in_the_admins_words(client, admin):
    ours = OutboxMessage(recipient="gone@example.org", subject="Ours", body_text="b")
    ours.state, ours.last_error = OutboxState.FAILED, f"StaleLink: {reasons.ACCOUNT_CHANGED}"
    smtp = OutboxMessage(recipient="far@example.org", subject="Far", body_text="b")
    smtp.state, smtp.last_error = OutboxState.FAILED, "SMTPDataError: (550, b'no such user')"
    db.session.add_all([ours, smtp])
    db.session.commit()

    text = page_text(client.get("/admin/outbox?state=failed"))
    # Konsey's own reason is a catalog message, without the exception's name...
    assert "Not sent: the account is gone, inactive or has another address now." in text
    assert "StaleLink" not in text
    # ...a server's reply is shown as it came.
    assert "SMTPDataError: (550, b'no such user')" in text
    assert "failed" in page_text(client.get(f"/admin/outbox/{ours.id}"))


def test_outbox_refuses_unknown_state_and_message(client, admin):
    response = client.get("/admin/outbox?state=lost")
    assert response.status_code == 400
    assert "The request could not be understood." in page_text(response)
    assert client.get("/admin/outbox/999999").status_code == 404
