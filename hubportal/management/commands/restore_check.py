"""``python manage.py restore_check [--manifest FILE.json] [--date YYYY-MM-DD]``: does this database rebuild its report?"""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hubportal.backups import BackupError, check_restored


class Command(BaseCommand):
    help = (
        "Rebuild a nightly roll-up report from this database (run it with DATABASE_URL pointing at a "
        "restored copy) and compare its content hash with the stored report's and, given a backup's "
        "manifest, with the hash recorded when the backup was made. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--manifest", type=Path, help="The backup's .json manifest.")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="The report's day (YYYY-MM-DD).")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print only the result, as one JSON line."
        )

    def handle(self, *args, manifest=None, date=None, as_json=False, **options):
        expected = None
        if manifest:
            expected = _read(manifest).get("last_report")
        try:
            result = check_restored(expected=expected, day=date)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not as_json:
            if not result["checked"]:
                self.stdout.write(f"Nothing to rebuild: {result['reason']}.")
            else:
                verdict = "the same" if result["same"] else "DIFFERENT"
                self.stdout.write(
                    f"Report for {result['day']} rebuilt: {verdict} hash "
                    f"(stored {result['stored_hash'][:12]}…, rebuilt {result['rebuilt_hash'][:12]}…"
                    + (f", at backup {result['expected_hash'][:12]}…)" if result["expected_hash"] else ")")
                )
        self.stdout.write(json.dumps(result))
        if not result["same"]:
            raise CommandError("The rebuilt report's hash differs.")


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read the manifest {path}: {error}") from error
