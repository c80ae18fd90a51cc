"""``flask konsey …``: what an operator types and what a script reads back."""

from __future__ import annotations

import email
import email.policy

import pytest
import sqlalchemy as sa

from konsey.extensions import db
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

DEMO_LOGINS = [
    "admin@secretariat.example.org",
    "coordinator@secretariat.example.org",
    "head.az@az.example.org",
    "head.kz@kz.example.org",
    "head.kg@kg.example.org",
    "head.tr@tr.example.org",
    "delegate.kz@kz.example.org",
    "expert.kg@kg.example.org",
    "observer.hu@hu.example.org",
]
ALL_GROUPS = {
    "cyber-security",
    "tasim-fibre",
    "satellite-services",
    "e-government",
    "ict-ministers",
}
DEMO_PASSWORD = "a-demo-password-for-tests"
STRONG_PASSWORD = "a long enough admin password"


@pytest.fixture
def cli(app, monkeypatch):
    monkeypatch.delenv("KONSEY_ADMIN_PASSWORD", raising=False)
    runner = app.test_cli_runner()

    def run(*args, **kw):
        return runner.invoke(args=["konsey", *args], **kw)

    return run


def dump_all_tables(app) -> dict[str, list[tuple]]:
    """Every row of every table of the schema, in primary-key order."""
    with app.app_context():
        db.session.remove()
        dump = {}
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(sa.select(table).order_by(*order)).all()
                dump[table.name] = [tuple(row) for row in rows]
        return dump


def roles_of(app) -> dict[str, dict[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(User.email, WorkingGroup.slug, Membership.role)
            .join(Membership.user)
            .join(Membership.group)
        ).all()
    roles: dict[str, dict[str, str]] = {}
    for user_email, slug, role in rows:
        roles.setdefault(user_email, {})[slug] = role.value
    return roles


# --- konsey demo -----------------------------------------------------------------------
def test_demo_prints_the_logins_and_they_work(app, cli, make_client, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", DEMO_PASSWORD)
    result = cli("demo")
    assert result.exit_code == 0, result.output
    for login in DEMO_LOGINS:
        assert login in result.stdout
    assert DEMO_PASSWORD in result.stdout
    for login in DEMO_LOGINS:
        client = make_client()
        response = client.login(login, password=DEMO_PASSWORD)
        assert response.status_code == 302, (login, response.get_data(as_text=True)[:500])
        assert client.get("/api/v1/me").get_json()["email"] == login
    # A wrong password is still refused.
    assert make_client().login(DEMO_LOGINS[0], password="wrong password!").status_code == 401


def test_demo_uses_the_configured_default_password(app, cli, make_client, monkeypatch):
    from konsey.config import from_environment

    default = from_environment()["DEMO_PASSWORD"]
    assert len(default) >= 12  # a demo login must pass the password rules too
    # Other tests change the session app's value; put the default back for this one.
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", default)
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert default in result.stdout
    assert make_client().login("head.kz@kz.example.org", password=default).status_code == 302


def test_demo_is_idempotent(app, cli, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", DEMO_PASSWORD)
    first = cli("demo")
    assert first.exit_code == 0, first.output
    assert "nothing changed" not in first.stdout
    before = dump_all_tables(app)
    assert len(before["user_account"]) == 10

    second = cli("demo")
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.stdout
    after = dump_all_tables(app)
    assert set(after) == {t.name for t in db.metadata.sorted_tables}
    for table, rows in before.items():
        assert after[table] == rows, f"the second run changed table {table}"


def test_demo_memberships_match_the_founding_case(app, cli, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", DEMO_PASSWORD)
    assert cli("demo").exit_code == 0
    roles = roles_of(app)
    assert roles["delegate.kz@kz.example.org"] == {
        "cyber-security": "delegate",
        "e-government": "delegate",
    }
    assert roles["expert.kg@kg.example.org"] == {"satellite-services": "expert"}
    assert roles["observer.hu@hu.example.org"] == {"e-government": "observer"}
    assert roles["coordinator@secretariat.example.org"] == dict.fromkeys(ALL_GROUPS, "coordinator")
    for code in ("az", "kz", "kg", "tr"):
        assert roles[f"head.{code}@{code}.example.org"] == dict.fromkeys(ALL_GROUPS, "head")
    assert "admin@secretariat.example.org" not in roles  # admin, but in no group

    with app.app_context():
        states = {s.code: s for s in db.session.scalars(sa.select(MemberState))}
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        assert set(states) == {"AZ", "KZ", "KG", "TR", "HU"}
        assert states["HU"].status == StateStatus.OBSERVER
        for code in ("AZ", "KZ", "KG", "TR"):
            assert states[code].status == StateStatus.MEMBER
        assert users["admin@secretariat.example.org"].is_admin
        assert [e for e, u in users.items() if u.is_admin] == ["admin@secretariat.example.org"]
        assert users["admin@secretariat.example.org"].member_state is None
        assert users["coordinator@secretariat.example.org"].member_state is None
        assert users["observer.hu@hu.example.org"].member_state.code == "HU"
        assert users["expert.kg@kg.example.org"].member_state.code == "KG"
        # A membership's delegation is the member's state.
        for m in db.session.scalars(sa.select(Membership)):
            assert m.member_state_id == m.user.member_state_id


def test_demo_completes_partly_loaded_data(app, cli, monkeypatch):
    """A database with some of the demo (a state, a user) gets the rest, no duplicates."""
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", DEMO_PASSWORD)
    with app.app_context():
        kz = f.make_state("KZ", name="Kazakhstan")
        f.make_user("head.kz@kz.example.org", state=kz, name="Head KZ (existing)")
    result = cli("demo")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberState)) == 5
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 10
        existing = db.session.scalar(sa.select(User).filter_by(email="head.kz@kz.example.org"))
        assert existing.name == "Head KZ (existing)"  # not overwritten
    assert roles_of(app)["head.kz@kz.example.org"] == dict.fromkeys(ALL_GROUPS, "head")
    assert "nothing changed" in cli("demo").stdout


# --- konsey create-admin ---------------------------------------------------------------
def test_create_admin_creates_an_admin_who_can_log_in(app, cli, make_client):
    result = cli(
        "create-admin", "It.Director@Secretariat.example.org", "--password", STRONG_PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert "it.director@secretariat.example.org" in result.stdout
    with app.app_context():
        user = db.session.scalar(
            sa.select(User).filter_by(email="it.director@secretariat.example.org")
        )
        assert user is not None
        assert user.is_admin and user.is_active
        assert user.password_hash and STRONG_PASSWORD not in user.password_hash
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))
        ).all()
        assert "user.create_admin" in actions  # the change is in the audit log
    client = make_client()
    assert client.login("it.director@secretariat.example.org", STRONG_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_admin_reads_the_password_from_the_environment(app, cli, make_client):
    result = cli(
        "create-admin",
        "ops@secretariat.example.org",
        env={"KONSEY_ADMIN_PASSWORD": STRONG_PASSWORD},
    )
    assert result.exit_code == 0, result.output
    assert make_client().login("ops@secretariat.example.org", STRONG_PASSWORD).status_code == 302


def test_create_admin_prompts_for_the_password(app, cli, make_client):
    result = cli(
        "create-admin",
        "prompted@secretariat.example.org",
        input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert STRONG_PASSWORD not in result.output  # hidden input
    client = make_client()
    assert client.login("prompted@secretariat.example.org", STRONG_PASSWORD).status_code == 302


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new.admin@secretariat.example.org", "--password", "short"], "at least 12"),
        (["new.admin@secretariat.example.org", "--password", "elevenchars"], "at least 12"),
        (["not-an-email", "--password", STRONG_PASSWORD], "valid email"),
        (["two@@example.org", "--password", STRONG_PASSWORD], "valid email"),
        (["", "--password", STRONG_PASSWORD], "valid email"),
    ],
)
def test_create_admin_refuses_bad_input(app, cli, args, message):
    before = _user_count(app)
    result = cli("create-admin", *args)
    assert result.exit_code != 0, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert _user_count(app) == before == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_create_admin_makes_an_existing_user_admin(app, cli, make_client):
    with app.app_context():
        f.make_user("staff@secretariat.example.org")
    client = make_client()
    client.login("staff@secretariat.example.org")
    assert client.get("/admin/").status_code == 403

    result = cli("create-admin", "Staff@Secretariat.example.org")
    assert result.exit_code == 0, result.output
    assert _user_count(app) == 1
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="staff@secretariat.example.org"))
        assert user.is_admin
    # The password they had still works, and now the admin pages open.
    client = make_client()
    assert client.login("staff@secretariat.example.org").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_admin_with_short_password_leaves_an_existing_user_unchanged(app, cli):
    with app.app_context():
        f.make_user("staff@secretariat.example.org")
    result = cli("create-admin", "staff@secretariat.example.org", "--password", "short")
    assert result.exit_code != 0
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="staff@secretariat.example.org"))
        assert not user.is_admin


# --- konsey token create ---------------------------------------------------------------
def test_token_create_prints_only_the_token(app, cli):
    with app.app_context():
        f.make_user("script.owner@kz.example.org", name="Script Owner")
    result = cli("token", "create", "script.owner@kz.example.org", "--name", "nightly export")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    token = lines[0]
    assert token.startswith("ksy_")
    assert token == token.strip() and " " not in token

    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "script.owner@kz.example.org"

    # Each call gives a new token; the first one still works.
    second = cli("token", "create", "Script.Owner@KZ.example.org").stdout.strip()
    assert second.startswith("ksy_") and second != token
    for t in (token, second):
        r = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {t}"})
        assert r.status_code == 200


def test_token_create_for_unknown_email_fails(app, cli):
    result = cli("token", "create", "nobody@example.org")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "nobody@example.org" in result.output


def test_token_create_for_deactivated_user_fails(app, cli):
    with app.app_context():
        f.make_user("gone@kz.example.org", is_active_account=False)
    result = cli("token", "create", "gone@kz.example.org")
    assert result.exit_code != 0
    assert result.stdout == ""


# --- konsey deliver-mail ---------------------------------------------------------------
def test_deliver_mail_writes_queued_messages_as_eml(app, cli, tmp_path, monkeypatch):
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    with app.app_context():
        db.session.add_all(
            [
                OutboxMessage(
                    recipient="head.tr@tr.example.org",
                    subject="Toplantı Zaptı",
                    body_text="Taslak zabıt ektedir.",
                    body_html="<p>Taslak zabıt ektedir.</p>",
                ),
                OutboxMessage(
                    recipient="head.kz@kz.example.org",
                    subject="Reminder",
                    body_text="The action is due on 1 December.",
                ),
                OutboxMessage(
                    recipient="old@example.org",
                    subject="Already sent",
                    body_text="x",
                    state=OutboxState.SENT,
                ),
            ]
        )
        db.session.commit()

    result = cli("deliver-mail")
    assert result.exit_code == 0, result.output
    assert "2 message(s) delivered" in result.stdout

    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files
    ]
    by_to = {m["To"]: m for m in messages}
    assert set(by_to) == {"head.tr@tr.example.org", "head.kz@kz.example.org"}
    tr = by_to["head.tr@tr.example.org"]
    assert tr["Subject"] == "Toplantı Zaptı"
    assert tr["From"] == app.config["MAIL_FROM"]
    assert "Taslak zabıt ektedir." in tr.get_body(("plain",)).get_content()
    assert "<p>Taslak zabıt ektedir.</p>" in tr.get_body(("html",)).get_content()
    assert "1 December" in by_to["head.kz@kz.example.org"].get_body(("plain",)).get_content()

    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.state for r in rows] == [OutboxState.SENT] * 3
        assert all(r.sent_at is not None for r in rows[:2])
        assert [r.attempts for r in rows[:2]] == [1, 1]

    # Nothing is sent twice.
    again = cli("deliver-mail")
    assert again.exit_code == 0
    assert "0 message(s) delivered" in again.stdout
    assert len(list(folder.glob("*.eml"))) == 2


def test_deliver_mail_records_a_failure_and_keeps_the_message(app, cli, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the mail folder should be")
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(blocker / "mail"))
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    with app.app_context():
        db.session.add(OutboxMessage(recipient="a@example.org", subject="s", body_text="b"))
        db.session.commit()
    result = cli("deliver-mail")
    assert result.exit_code == 0, result.output
    assert "0 message(s) delivered" in result.stdout
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        assert row.state == OutboxState.QUEUED
        assert row.attempts == 1
        assert row.last_error
