"""``python manage.py backup [--dir DIR]``: a consistent, dated copy of the database (hubportal.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hubportal.backups import BackupError, backup, default_directory


class Command(BaseCommand):
    help = (
        "Back up the database to a dated file in a folder (default var/backups/): pg_dump for "
        "PostgreSQL, SQLite's online backup API for the embedded database; with a manifest beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Folder for the backup (default: var/backups/).")

    def handle(self, *args, dir=None, **options):
        try:
            made = backup(dir or default_directory())
        except BackupError as error:
            raise CommandError(str(error)) from error
        report = made.manifest["last_report"]
        self.stdout.write(
            f"Backed up {made.manifest['engine']} database {made.manifest['database']} to {made.path} "
            f"({made.manifest['bytes']:,} bytes; sha256 {made.manifest['sha256'][:12]}…); "
            + (
                f"newest roll-up report {report['day']}, hash {report['content_hash'][:12]}…"
                if report
                else "no roll-up report yet"
            )
        )
