"""``flask --app wsgi konsey backup DIR`` and ``… restore DIR``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from konsey.backup.archive import backup, restore
from konsey.backup.databases import BackupError


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path):
    """Back up the database and the document files into DIRECTORY (while the app runs)."""
    try:
        manifest = backup(directory)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    rows = sum(manifest["tables"].values())
    click.echo(
        f"Backup written to {directory}: {manifest['backend']} database "
        f"({rows} rows, revision {manifest['schema_revision']}), "
        f"{len(manifest['documents'])} document files."
    )


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(directory: Path):
    """Restore the backup in DIRECTORY into this empty instance, verifying every file."""
    try:
        manifest = restore(directory)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"Restored the backup of {manifest['created_at']} "
        f"({sum(manifest['tables'].values())} rows, {len(manifest['documents'])} document files); "
        "every file matches the manifest."
    )
