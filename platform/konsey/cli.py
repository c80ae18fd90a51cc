"""``flask --app wsgi konsey …``: operations from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from konsey import audit
from konsey.errors import ServiceError
from konsey.extensions import db

konsey_cli = AppGroup("konsey", help="Konsey operations.")
token_cli = AppGroup("token", help="Personal API tokens.")
konsey_cli.add_command(token_cli)

CLI_ACTOR = audit.Actor(user=None, ip="cli")


def _fail(exc: ServiceError):
    raise click.ClickException(exc.message)


@konsey_cli.command("demo")
def demo_command():
    """Load the founding case's demo data (idempotent)."""
    from konsey.demo import DEMO_ACCOUNTS, load_demo

    created = load_demo()
    # The demo's files become searchable now, through the same limited child
    # processes a worker uses (this is the command line, not a web thread).
    from konsey.documents.extraction import extract_pending

    while extract_pending():
        pass
    click.echo(
        "Demo data: "
        + (
            ", ".join(f"{n} {what}" for what, n in created.items() if n)
            or "already loaded, nothing changed"
        )
        + "."
    )
    from flask import current_app

    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo logins (password: {password}):")
    for email, description in DEMO_ACCOUNTS:
        click.echo(f"  {email:40} {description}")


@konsey_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Full name (default: the part before @).")
@click.option(
    "--password",
    envvar="KONSEY_ADMIN_PASSWORD",
    default=None,
    help="Password; prompted for when not given (or set KONSEY_ADMIN_PASSWORD).",
)
def create_admin_command(email: str, name: str | None, password: str | None):
    """Create an admin account, or make an existing account an admin."""
    from konsey.auth.services import find_user_by_email, set_password
    from konsey.models import User
    from konsey.validation import check_password, normalize_email

    try:
        email = normalize_email(email)
        user = find_user_by_email(email)
        if password is None and (user is None or not user.has_password):
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if password is not None:
            check_password(password, email=email, name=name)
        if user is None:
            user = User(email=email, name=name or email.split("@")[0], is_admin=True)
            db.session.add(user)
            audit.record(CLI_ACTOR, "user.create_admin", user)
        else:
            user.is_admin = True
            user.is_active_account = True
            audit.record(CLI_ACTOR, "user.make_admin", user)
        if password is not None:
            set_password(CLI_ACTOR, user, password, action="user.password_set")
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc)
    click.echo(f"{user.email} is an admin.")


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
@click.option(
    "--scope",
    type=click.Choice(["read-only", "read-write"]),
    default="read-write",
    help="read-only tokens may only read (GET).",
)
@click.option("--days", type=int, default=None, help="Lifetime in days (default 90, max 365).")
def token_create_command(email: str, name: str, scope: str, days: int | None):
    """Create a personal API token; prints only the token (for scripts)."""
    from konsey.auth.api_tokens import create_token
    from konsey.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None or not user.is_active:
        raise click.ClickException(f"No active account for {email}.")
    try:
        _token, secret = create_token(CLI_ACTOR, user, name, scope=scope, days=days)
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc)
    db.session.commit()
    click.echo(secret)


@konsey_cli.command("deliver-mail")
def deliver_mail_command():
    """Deliver queued outbox messages now."""
    from konsey.mail.delivery import deliver_pending

    click.echo(f"{deliver_pending(limit=10_000)} message(s) delivered.")


@konsey_cli.command("extract-pending")
def extract_pending_command():
    """Extract the text of uploaded files still waiting (each in a limited child process)."""
    from konsey.documents.extraction import extract_pending

    total = 0
    while count := extract_pending():
        total += count
    click.echo(f"Extracted {total} file(s).")


@konsey_cli.command("settle-minutes")
def settle_minutes_command():
    """Record agreement by silence past deadlines; mark fully agreed minutes agreed."""
    from konsey.minutes.agreement import settle_all
    from konsey.models.base import utcnow

    click.echo(f"{settle_all(utcnow())} minutes record(s) settled.")


@konsey_cli.command("digest")
@click.option("--now", "now_", is_flag=True, help="Send every digest now, for the last period.")
def digest_command(now_: bool):
    """Run the digests that are due (with --now: all of them, at once)."""
    from konsey.mail.dispatch import dispatch_outbox
    from konsey.models.base import utcnow
    from konsey.notifications import digests

    queued = digests.run(utcnow(), force=now_)
    dispatch_outbox()
    click.echo(f"{queued} digest(s) queued.")


@konsey_cli.command("reminders")
def reminders_command():
    """Queue the reminders that are due now."""
    from konsey.mail.dispatch import dispatch_outbox
    from konsey.models.base import utcnow
    from konsey.notifications import reminders

    queued = reminders.scan(utcnow())
    dispatch_outbox()
    click.echo(f"{queued} reminder(s) queued.")


def _add_operations() -> None:
    from konsey.backup import backup_command, restore_command
    from konsey.maintenance import cleanup_command

    for command in (backup_command, restore_command, cleanup_command):
        konsey_cli.add_command(command)


_add_operations()


def _add_generate() -> None:
    from konsey.scale.command import generate_command

    konsey_cli.add_command(generate_command)


_add_generate()


@konsey_cli.command("reindex")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only when the index is empty (after an upgrade made it); `make db` runs this.",
)
def reindex_command(if_empty: bool):
    """Rebuild the search index from the database (a batch at a time)."""
    import time

    from konsey.search.index import is_empty, reindex

    if if_empty and not is_empty():
        click.echo("Search index already built; nothing to do.")
        return
    started = time.perf_counter()
    counts = reindex()
    click.echo(
        "Search index rebuilt: "
        + ", ".join(f"{n} {kind}" for kind, n in counts.items())
        + f" ({sum(counts.values())} entries, {time.perf_counter() - started:.1f} s)."
    )
