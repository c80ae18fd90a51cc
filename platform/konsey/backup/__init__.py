"""Backups of a whole instance taken while it runs, and restores into an empty one
(``archive``: the folder and its manifest; ``databases``: PostgreSQL and SQLite)."""

from konsey.backup.archive import (
    MANIFEST,
    backup,
    blob_path,
    read_manifest,
    restore,
    verify_backup,
)
from konsey.backup.commands import backup_command, restore_command
from konsey.backup.databases import BackupError, current_tables

__all__ = [
    "MANIFEST",
    "BackupError",
    "backup",
    "backup_command",
    "blob_path",
    "current_tables",
    "read_manifest",
    "restore",
    "restore_command",
    "verify_backup",
]
