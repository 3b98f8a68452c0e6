"""``python manage.py run_rollup [--date YYYY-MM-DD]``: the nightly roll-up, synchronously."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from learning.models import RollupRun
from learning.services import rollup_run
from learning.tasks import yesterday


class Command(BaseCommand):
    help = "Build the cross-hub roll-up report for a day (default: yesterday), as the nightly task does."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="YYYY-MM-DD; default yesterday.")

    def handle(self, *args, date=None, **options):
        day = date or yesterday()
        try:
            run = rollup_run(day=day)
        except Exception as error:
            raise CommandError(f"Roll-up for {day} failed: {error}") from error
        report = run.report
        self.stdout.write(
            f"Roll-up for {day}: {run.status}"
            + (
                f"; hash {report.content_hash}; built in {report.duration_ms} ms"
                if report
                else f"; {run.error}"
            )
        )
        if run.status == RollupRun.Status.SKIPPED:
            raise CommandError(f"Roll-up for {day} skipped: {run.error}")
