"""``python manage.py restore [FILE] --into TARGET``: restore a backup into a new database or file, then check it."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hubportal.backups import (
    BackupError,
    check_in_subprocess,
    default_directory,
    manifest_path,
    newest_backup,
    restore,
)


class Command(BaseCommand):
    help = (
        "Restore a backup (default: the newest in --dir) into a new PostgreSQL database (a name or a "
        "postgres:// URL) or a new SQLite file, then rebuild its newest nightly report there and "
        "compare content hashes (restore_check). Never restores over the portal's own database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="A .dump or .sqlite3 backup.")
        parser.add_argument(
            "--into", required=True, help="New database name or URL, or new SQLite file path."
        )
        parser.add_argument(
            "--dir", type=Path, help="Where to look for the newest backup (default var/backups/)."
        )
        parser.add_argument("--replace", action="store_true", help="Drop or overwrite an existing target.")
        parser.add_argument(
            "--no-check", action="store_true", help="Restore only; do not rebuild the report."
        )

    def handle(self, *args, file=None, into, dir=None, replace=False, no_check=False, **options):
        try:
            path = file or newest_backup(dir or default_directory())
            url = restore(path, into, replace=replace)
            self.stdout.write(f"Restored {path.name} into {into}")
            if no_check:
                return
            checked = check_in_subprocess(url, manifest_path(path))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(checked))
        if not checked["same"]:
            raise CommandError("The restored copy does not rebuild the same report: see the hashes above.")
