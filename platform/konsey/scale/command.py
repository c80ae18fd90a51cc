"""``flask --app wsgi konsey generate``: realistic data in bulk."""

from __future__ import annotations

import click
from flask import current_app

from konsey.errors import ServiceError
from konsey.extensions import db

SHOWN = [
    ("user_account", "users"),
    ("working_group", "working groups"),
    ("membership", "memberships"),
    ("meeting", "meetings"),
    ("agenda_item", "agenda items"),
    ("meeting_participant", "participants of meetings"),
    ("minutes", "minutes"),
    ("minutes_version", "minutes versions"),
    ("minutes_position", "positions"),
    ("minutes_comment", "comments on minutes"),
    ("decision", "decisions"),
    ("document", "documents"),
    ("document_version", "document versions"),
    ("stored_file", "stored files"),
    ("search_index", "search index entries"),
    ("action_item", "action items"),
    ("action_update", "action updates"),
]


@click.command("generate")
@click.option("--scale", default=20, show_default=True, help="Number of working groups.")
@click.option("--seed", default=2017, show_default=True, help="Same seed, same data.")
@click.option("--users", type=int, default=None, help="Users in total [default: 500 per group].")
@click.option("--meetings-per-group", default=50, show_default=True)
@click.option("--agenda-items", default=10, show_default=True, help="Agenda items per meeting.")
@click.option("--documents-per-group", default=1_000, show_default=True)
@click.option("--actions-per-group", default=2_000, show_default=True)
@click.option("--prefix", default="wg", show_default=True, help="Group slugs and emails.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the data is generated around [default: today, UTC].",
)
def generate_command(
    scale,
    seed,
    users,
    meetings_per_group,
    agenda_items,
    documents_per_group,
    actions_per_group,
    prefix,
    today,
):
    """Fill the database with realistic data for SCALE working groups (bulk inserts)."""
    from konsey.scale import Sizes, generate

    if min(scale, meetings_per_group, agenda_items, documents_per_group, actions_per_group) < 1:
        raise click.BadParameter("every size must be at least 1")
    sizes = Sizes(
        groups=scale,
        users=users,
        meetings=meetings_per_group,
        agenda_items=agenda_items,
        documents=documents_per_group,
        actions=actions_per_group,
    )
    password = current_app.config["DEMO_PASSWORD"]
    try:
        report = generate(
            sizes,
            seed=seed,
            today=today.date() if today else None,
            prefix=prefix,
            password=password,
        )
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Generated in {report.seconds:.1f} s (seed {seed}):")
    for table, label in SHOWN:
        click.echo(f"  {report.counts.get(table, 0):>9,} {label}")
    click.echo(f"  {report.files_written:>9,} files written to the store")
    click.echo(
        f"Groups {report.groups[0]} … {report.groups[-1]}. Every account's password is the "
        f"demo password ({password}); e.g. {prefix}-user00000@secretariat.example.org "
        "(admin, coordinator of the first group). No audit event per row: one generate.run."
    )
